/* test_market_pool.c - 一池四库, matchmaking and 揭榜 challenges through
 * the real dispatcher: items by kind with their column rules, scope,
 * export and import; the Chinese ranking (bigrams, not spaces) with
 * reasons; the challenge lifecycle with every transition audited and the
 * refusals of actions out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uscc.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/market/contract.h"
#include "domain/market/pool.h"
#include "domain/market/pool_tix.h"

#define N_WORDS (sizeof words / sizeof words[0])

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b, ent_a, ent_b;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", APITEST_ADMIN_PASSWORD, ROLE_AGENT,
                     f->street_a);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->ent_a =
        apitest_add_ent(f->t, 1, "天津河东精密机电有限公司", f->street_a);
    f->ent_b =
        apitest_add_ent(f->t, 2, "天津东丽新能科技有限公司", f->street_b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    apitest_free(f->t);
    free(f);
    return 0;
}

static void test_items_rules_scope(void **state)
{
    Fx *f = *state;
    char body[1024], url[80];
    ApiResp r;
    int64_t id_a, id_b;

    /* a demand of enterprise A (linked by name; street A) */
    id_a = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"subkind\": \"技术难题\", "
        "\"title\": \"伺服电机高速运行振动抑制\", \"org_name\": "
        "\"天津河东精密机电有限公司\", \"summary\": "
        "\"需要解决伺服电机在高速运行时的振动和噪声问题\", "
        "\"field\": 3, \"price\": \"80\", \"deadline\": "
        "\"2026-12-31\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)id_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "ent_id"), f->ent_a);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_a);
    assert_int_equal(apitest_jint(r.json, "price"), 800000);
    assert_string_equal(apitest_jstr(r.json, "subkind"), "problem");
    apiresp_release(&r);
    id_b = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"title\": \"隔膜涂覆均匀性\", "
        "\"org_name\": \"天津东丽新能科技有限公司\", \"summary\": "
        "\"涂覆厚度不均\"}");

    /* column rules: required, unused column, bad option, bad money */
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"demand\", \"title\": \"x\", \"org_name\": "
                    "\"y\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "summary");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"institution\", \"subkind\": \"检验检测\", "
                    "\"title\": \"x\", \"maturity\": \"中试\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "maturity");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"achievement\", \"subkind\": \"外星人\", "
                    "\"title\": \"x\", \"org_name\": \"y\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "subkind");
    apiresp_release(&r);

    /* update and retire are audited changes */
    snprintf(body, sizeof body, "{\"price\": \"90\"}");
    apitest_request(f->t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "price"), 900000);
    apiresp_release(&r);
    /* the status cannot be cleared (was a 500: NOT NULL column) */
    apitest_request(f->t, "PATCH", url, "{\"status\": null}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "status");
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"status\": \"\"}"),
                     400);

    /* scope: street A sees its own demand only */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=demand", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)id_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* export with the kind's columns */
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=demand&format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "需求名称"));
    assert_non_null(strstr(r.body, "伺服电机高速运行振动抑制"));
    assert_non_null(strstr(r.body, "90"));
    apiresp_release(&r);
}

static void test_import(void **state)
{
    static const char *const hdr[] = {"X-File-Name", "a.csv", NULL};
    Fx *f = *state;
    ApiResp r;

    apitest_request(
        f->t, "POST",
        "/api/v1/market-item-imports?kind=achievement&dry_run=false",
        "\xEF\xBB\xBF"
        "成果登记表\r\n"
        "成果名称,持有方类型,持有方,技术领域,成熟度,意向价格（万元）\r\n"
        "一种伺服电机振动抑制方法,高校,天津大学,先进制造,中试,50\r\n"
        "锂电池隔膜在线检测装置,科研院所,某研究所,新能源与高效节能,"
        "小试,30\r\n"
        "坏行,外星人,某单位,先进制造,中试,10\r\n",
        hdr, &r);
    /* all or nothing: one bad row, nothing written */
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=achievement", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    apitest_request(
        f->t, "POST",
        "/api/v1/market-item-imports?kind=achievement&dry_run=false&mode=valid",
        "成果名称,持有方类型,持有方,技术领域,成熟度,意向价格（万元）\r\n"
        "一种伺服电机振动抑制方法,高校,天津大学,先进制造,中试,50\r\n"
        "坏行,外星人,某单位,先进制造,中试,10\r\n",
        hdr, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "inserted"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "errors"), 0),
                     "row"),
        3);
    apiresp_release(&r);
}

static void test_terms_and_match(void **state)
{
    Fx *f = *state;
    uint64_t *t1 = NULL;
    size_t n;
    char url[96];
    int64_t demand, good, other;
    json_t *items, *first;
    ApiResp r;

    /* bigrams of Chinese text without spaces; ASCII words */
    n = pool_terms("伺服电机 PLC", &t1);
    assert_int_equal(n, 4); /* 伺服 服电 电机 plc */
    free(t1);

    demand = apitest_post_id(f->t, "/api/v1/market-items",
                             "{\"kind\": \"demand\", \"title\": "
                             "\"伺服电机高速运行振动抑制\", \"org_name\": "
                             "\"天津河东精密机电有限公司\", \"summary\": "
                             "\"解决伺服电机振动和噪声\", \"field\": 3}");
    other = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
        "\"title\": \"高效光伏逆变器\", \"org_name\": \"某大学\", "
        "\"field\": 3}");
    good = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
        "\"title\": \"一种伺服电机振动抑制方法\", \"org_name\": "
        "\"天津大学\", \"summary\": \"基于陷波滤波的伺服电机振动抑制"
        "\", \"field\": 3}");
    apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"resource\", \"subkind\": \"专家\", \"title\": "
        "\"张教授\", \"org_name\": \"天津大学\", \"summary\": "
        "\"电机控制、振动噪声\", \"field\": 5}");
    apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", \"title\": "
        "\"水稻育种\", \"org_name\": \"某农学院\", \"field\": 9}");
    /* the holder's registered contract in the demand's field counts */
    apitest_post_id(
        f->t, "/api/v1/contracts",
        "{\"reg_no\": \"2025120100000001\", \"title\": \"电机控制开发\", "
        "\"type\": \"KF\", \"seller_name\": \"天津大学\", "
        "\"buyer_name\": \"某企业\", \"amount_wan\": \"20\", \"field\": 3, "
        "\"signed_on\": \"2025-03-01\", \"registered_on\": "
        "\"2025-03-10\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/matches",
             (long long)demand);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    first = json_array_get(items, 0);
    /* the obvious match first, with its reasons */
    assert_int_equal(apitest_jint(first, "id"), good);
    /* named by the server: the pool's name, an expert by its subkind */
    assert_string_equal(apitest_jstr(first, "kind_name"), "成果库");
    assert_string_equal(apitest_jstr(json_array_get(items, 1), "kind"),
                        "resource");
    assert_string_equal(apitest_jstr(json_array_get(items, 1), "kind_name"),
                        "专家");
    assert_true(json_array_size(json_object_get(first, "reasons")) >= 3);
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 2)),
        "登记的技术合同"));
    /* the expert shares terms, the same-field achievement only the field */
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(apitest_jint(json_array_get(items, 2), "id"), other);
    apiresp_release(&r);
}

/* ---- the matching against the earlier implementation ---- */

static int ref_cmp_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score"));
    json_int_t sy = json_integer_value(json_object_get(y, "score"));
    if (sx != sy) {
        return sx > sy ? -1 : 1;
    }
    return json_integer_value(json_object_get(x, "id")) <
                   json_integer_value(json_object_get(y, "id"))
               ? -1
               : 1;
}

/* The matching as it was before the term index (one scan scoring every
 * candidate, all of them sorted): the reference the index must equal.
 * path: the actor's unit path. */
static json_t *ref_match(Db *db, const char *path, int64_t demand_id, int limit)
{
    json_t **cand = NULL, *out;
    uint64_t *dt = NULL;
    PoolTermSet dset;
    size_t nd, nc = 0, cap = 0, i;
    char pat[300], text[4096], dind[16] = "";
    int64_t dfield = 0;
    int has_ind = 0;
    DbStmt *st = NULL;
    Err e;

    assert_int_equal(db_prepare_v(db, &st, &e,
                                  "SELECT title, summary, field, "
                                  "industry_code FROM market_items WHERE id "
                                  "= $1",
                                  "i", demand_id),
                     0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    snprintf(text, sizeof text, "%s %s", db_col_text(st, 0),
             db_col_text(st, 1) ? db_col_text(st, 1) : "");
    dfield = db_col_is_null(st, 2) ? 0 : db_col_int64(st, 2);
    if (db_col_text(st, 3)) {
        snprintf(dind, sizeof dind, "%s", db_col_text(st, 3));
        has_ind = 1;
    }
    db_finalize(st);
    nd = pool_terms(text, &dt);
    pool_termset_init(&dset, dt, nd);
    snprintf(pat, sizeof pat, "%s%%", path);
    assert_int_equal(
        db_prepare_v(
            db, &st, &e,
            "SELECT i.id, i.kind, i.title, i.org_name, i.summary, i.field, "
            "i.industry_code, i.uscc FROM market_items i JOIN org_units o ON "
            "o.id = i.unit_id WHERE o.path LIKE $1 AND i.retired_at IS NULL "
            "AND i.status = 'open' AND (i.kind IN ('achievement', "
            "'institution') OR (i.kind = 'resource' AND i.subkind = "
            "'expert'))",
            "t", pat),
        0);
    while (db_step(st, &e) == DB_ROW) {
        const char *texts[2];
        size_t shared;
        int64_t score = 0;
        json_t *reasons = json_array();
        const char *ind = db_col_text(st, 6);
        texts[0] = db_col_text(st, 2);
        texts[1] = db_col_text(st, 4);
        shared = pool_termset_shared(&dset, texts, 2);
        if (shared > 0) {
            score += 10 * (int64_t)shared;
            json_array_append_new(
                reasons, json_sprintf("名称或简介有 %zu 个相同的词", shared));
        }
        if (dfield && !db_col_is_null(st, 5) && db_col_int64(st, 5) == dfield) {
            score += 20;
            json_array_append_new(
                reasons,
                json_sprintf("同属技术领域“%s”", contract_field_name(dfield)));
        }
        if (has_ind && ind && strlen(dind) >= 3 && strncmp(dind, ind, 3) == 0) {
            score += 10;
            json_array_append_new(reasons,
                                  json_sprintf("行业相同（%.3s）", ind));
        }
        if (score == 0) {
            json_decref(reasons);
            continue;
        }
        if (nc == cap) {
            cap = cap ? 2 * cap : 64;
            cand = realloc(cand, cap * sizeof(json_t *));
            assert_non_null(cand);
        }
        cand[nc++] = json_pack(
            "{sIsssssssosIsoso}", "id", (json_int_t)db_col_int64(st, 0), "kind",
            db_col_text(st, 1), "kind_name",
            strcmp(db_col_text(st, 1), "resource") == 0
                ? "专家"
                : pool_kind_name(db_col_text(st, 1)),
            "title", db_col_text(st, 2), "org_name",
            db_col_text(st, 3) ? json_string(db_col_text(st, 3)) : json_null(),
            "score", (json_int_t)score, "reasons", reasons, "uscc",
            db_col_text(st, 7) ? json_string(db_col_text(st, 7)) : json_null());
    }
    db_finalize(st);
    if (nc > 1) {
        qsort(cand, nc, sizeof(json_t *), ref_cmp_score);
    }
    for (i = 0; dfield && i < nc && i < POOL_MATCH_SHORTLIST; i++) {
        json_t *c = cand[i];
        const char *u = json_string_value(json_object_get(c, "uscc"));
        const char *on = json_string_value(json_object_get(c, "org_name"));
        int64_t past = 0;
        assert_int_equal(
            db_query_int64(
                db, &past, &e,
                "SELECT COUNT(*) FROM contracts WHERE status = 'registered' "
                "AND field = $1 AND (seller_uscc = $2 OR seller_name = $3 OR "
                "seller_name = $4)",
                "ittt", dfield, u ? u : "", on ? on : "",
                json_string_value(json_object_get(c, "title"))),
            0);
        if (past > 0) {
            json_object_set_new(
                c, "score",
                json_integer(json_integer_value(json_object_get(c, "score")) +
                             (past >= 3 ? 15 : 5 * past)));
            json_array_append_new(
                json_object_get(c, "reasons"),
                json_sprintf("在该领域已有 %lld 份登记的技术合同",
                             (long long)past));
        }
    }
    if (nc > 1) {
        size_t k = nc < POOL_MATCH_SHORTLIST ? nc : POOL_MATCH_SHORTLIST;
        qsort(cand, k, sizeof(json_t *), ref_cmp_score);
    }
    out = json_array();
    for (i = 0; i < nc; i++) {
        if ((int)i < limit) {
            json_object_del(cand[i], "uscc");
            json_array_append(out, cand[i]);
        }
        json_decref(cand[i]);
    }
    free(cand);
    free(dt);
    return out;
}

static uint32_t rnd_next(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7FFF;
}

/* The matches of every demand through the API equal ref_match's. */
static void match_compare(Fx *f, const int64_t *demands, size_t n,
                          const char *path)
{
    size_t i, compared = 0;

    for (i = 0; i < n; i++) {
        char url[96];
        json_t *want;
        ApiResp r;
        snprintf(url, sizeof url, "/api/v1/market-items/%lld/matches?limit=50",
                 (long long)demands[i]);
        apitest_request(f->t, "GET", url, NULL, NULL, &r);
        if (r.status == 404 && strcmp(path, "/") != 0) {
            apiresp_release(&r); /* a demand out of the street's scope */
            continue;
        }
        if (r.status != 200) {
            fail_msg("%s (%s): %d %s", url, path, r.status, r.body);
        }
        compared++;
        want = ref_match(f->t->db, path, demands[i], 50);
        if (!json_equal(want, json_object_get(r.json, "items"))) {
            char *w = json_dumps(want, JSON_COMPACT);
            fail_msg("demand %lld: want %s got %s", (long long)demands[i], w,
                     r.body);
        }
        json_decref(want);
        apiresp_release(&r);
    }
    assert_true(compared > 0);
}

/* Generated items of every kind, fields, industries, units, closed and
 * retired ones, sellers with contracts: the ranking through the term index
 * equals the earlier scan's, for the district and for a street, also
 * after audited writes (which the index must see at once). */
static void test_match_equals_reference(void **state)
{
    static const char *const words[] = {
        "伺服电机", "振动抑制", "锂电池", "隔膜",   "焊接",   "机器人",
        "视觉",     "定位",     "污水",   "光伏",   "逆变器", "储能",
        "中药",     "提取",     "传感器", "芯片",   "封装",   "检测",
        "算法",     "PLC",      "AI",     "高分子", "纳米",   "催化"};
    static const char *const inds[] = {"C3812", "C3819", "C3491",
                                       "I651",  "C27",   ""};
    static const char *const kinds[] = {
        "\"kind\": \"achievement\", \"subkind\": \"高校\"",
        "\"kind\": \"achievement\", \"subkind\": \"企业\"",
        "\"kind\": \"institution\", \"subkind\": \"技术转移机构\"",
        "\"kind\": \"resource\", \"subkind\": \"专家\"",
        "\"kind\": \"resource\", \"subkind\": \"大型科学仪器\""};
    Fx *f = *state;
    uint32_t seed = 42;
    int64_t ids[260], demands[24];
    size_t n_ids = 0, n_dem = 0, i;
    char body[1024], url[96], code[USCC_LEN + 1], path_a[300];
    char *p = NULL;
    Err e;

    for (i = 0; i < 260; i++) {
        char title[128] = "", summary[256] = "", extra[256] = "";
        int nw = 1 + (int)(rnd_next(&seed) % 3), w, dem = i % 12 == 0;
        int unit = (int)(rnd_next(&seed) % 3);
        int k = (int)(rnd_next(&seed) % 5); /* 0, 1: achievements */
        for (w = 0; w < nw; w++) {
            strcat(title, words[rnd_next(&seed) % N_WORDS]);
        }
        strcat(title, dem ? "需求" : "技术");
        if (rnd_next(&seed) % 3) {
            strcat(summary, words[rnd_next(&seed) % N_WORDS]);
            strcat(summary, "的研究与应用");
            strcat(summary, words[rnd_next(&seed) % N_WORDS]);
        }
        if (rnd_next(&seed) % 5) {
            snprintf(extra, sizeof extra, ", \"field\": %u",
                     1 + rnd_next(&seed) % 4);
        }
        if ((dem || k < 2) && *inds[rnd_next(&seed) % 6]) {
            size_t l = strlen(extra);
            snprintf(extra + l, sizeof extra - l, ", \"industry_code\": \"%s\"",
                     inds[rnd_next(&seed) % 5]);
        }
        if (unit) {
            size_t l = strlen(extra);
            apitest_uscc(unit, code);
            snprintf(extra + l, sizeof extra - l, ", \"uscc\": \"%s\"", code);
        }
        if (dem || k != 2) { /* institutions have no holder name */
            size_t l = strlen(extra);
            snprintf(extra + l, sizeof extra - l, ", \"org_name\": \"大学%u\"",
                     rnd_next(&seed) % 8);
        }
        snprintf(
            body, sizeof body, "{%s, \"title\": \"%s\", \"summary\": \"%s\"%s}",
            dem ? "\"kind\": \"demand\", \"subkind\": \"技术难题\"" : kinds[k],
            title, *summary ? summary : title, extra);
        if (dem) {
            demands[n_dem++] =
                apitest_post_id(f->t, "/api/v1/market-items", body);
        } else {
            ids[n_ids++] = apitest_post_id(f->t, "/api/v1/market-items", body);
        }
    }
    /* sellers with registered contracts in the first fields */
    for (i = 0; i < 6; i++) {
        snprintf(body, sizeof body,
                 "{\"reg_no\": \"20251201000001%02zu\", \"title\": \"开发\", "
                 "\"type\": \"KF\", \"seller_name\": \"大学%zu\", "
                 "\"buyer_name\": \"某企业\", \"amount_wan\": \"20\", "
                 "\"field\": %zu, \"signed_on\": \"2025-03-01\", "
                 "\"registered_on\": \"2025-03-10\"}",
                 i, i % 3, 1 + i % 2);
        apitest_post_id(f->t, "/api/v1/contracts", body);
    }
    assert_int_equal(db_query_text(f->t->db, &p, &e,
                                   "SELECT path FROM org_units WHERE id = $1",
                                   "i", f->street_a),
                     0);
    snprintf(path_a, sizeof path_a, "%s", p);
    free(p);
    match_compare(f, demands, n_dem, "/");

    /* audited writes: closed, retired, retitled, a new item; seen at once */
    for (i = 0; i < n_ids; i += 7) {
        snprintf(url, sizeof url, "/api/v1/market-items/%lld",
                 (long long)ids[i]);
        assert_int_equal(
            apitest_status(f->t, "PATCH", url,
                           i % 2 ? "{\"status\": \"closed\"}"
                                 : "{\"retired\": true, \"retire_reason\": "
                                   "\"测试\"}"),
            200);
    }
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)ids[1]);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"title\": \"伺服电机振动抑制锂电池隔膜"
                                    "焊接机器人视觉定位\"}"),
                     200);
    apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", \"title\": "
        "\"污水光伏逆变器储能中药提取\", \"org_name\": \"大学1\"}");
    match_compare(f, demands, n_dem, "/");

    /* the scan without the index (past its size cap) too */
    pool_tix_set_enabled(0);
    match_compare(f, demands, n_dem, "/");
    pool_tix_set_enabled(1);

    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    match_compare(f, demands, n_dem, path_a);
}

static int items_has(json_t *items, int64_t id)
{
    size_t i;
    json_t *v;

    json_array_foreach(items, i, v)
    {
        if (apitest_jint(v, "id") == id) {
            return 1;
        }
    }
    return 0;
}

static int match_lists(Fx *f, int64_t demand, int64_t id)
{
    char url[96];
    ApiResp r;
    int has;

    snprintf(url, sizeof url, "/api/v1/market-items/%lld/matches?limit=50",
             (long long)demand);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    has = items_has(json_object_get(r.json, "items"), id);
    apiresp_release(&r);
    return has;
}

/* The term index is kept over logins (audit entries of sessions only) and
 * rebuilt after any other audited write. A plain SQL update, which no
 * audit entry marks, shows which index answers. */
static void test_index_kept_over_login(void **state)
{
    Fx *f = *state;
    int64_t demand, ach;
    char url[96];
    Err e;

    demand = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"title\": \"伺服电机振动抑制\", "
        "\"org_name\": \"某企业\", \"summary\": \"振动大\", "
        "\"field\": 3}");
    ach =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
                        "\"title\": \"水稻育种\", \"org_name\": \"某农学院\", "
                        "\"field\": 9}");
    assert_false(match_lists(f, demand, ach));
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE market_items SET title = "
                               "'伺服电机振动抑制方法' WHERE id = $1",
                               "i", ach),
                     0);
    /* logged in again (and out and in): the index built before holds */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_false(match_lists(f, demand, ach));
    /* an audited write: rebuilt, the updated title is seen */
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)ach);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"summary\": \"陷波滤波\"}"), 200);
    assert_true(match_lists(f, demand, ach));
}

/* An enterprise with an industry code and 高新技术领域 (0: none). */
static int64_t add_ent_x(Fx *f, int n, const char *name, int64_t unit,
                         const char *industry, int domain)
{
    char code[USCC_LEN + 1], body[512];

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
             "\"industry_code\": \"%s\", \"tech_domain\": %d}",
             code, name, (long long)unit, industry, domain);
    if (!domain) {
        snprintf(body, sizeof body,
                 "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
                 "\"industry_code\": \"%s\"}",
                 code, name, (long long)unit, industry);
    }
    return apitest_post_id(f->t, "/api/v1/enterprises", body);
}

static int ents_has(json_t *items, int64_t id)
{
    size_t i;
    json_t *v;

    json_array_foreach(items, i, v)
    {
        if (apitest_jint(v, "ent_id") == id) {
            return 1;
        }
    }
    return 0;
}

static void test_ents_for_achievement(void **state)
{
    Fx *f = *state;
    int64_t good, far, none, holder, ach, demand;
    char url[128], body[512], code[USCC_LEN + 1];
    json_t *items, *first;
    ApiResp r;

    good = add_ent_x(f, 11, "天津伺服驱动有限公司", f->street_a, "C3812", 8);
    far = add_ent_x(f, 12, "天津东丽智能装备有限公司", f->street_b, "C3499", 8);
    none =
        add_ent_x(f, 13, "天津绿叶餐饮管理有限公司", f->street_a, "H6210", 0);
    holder =
        add_ent_x(f, 14, "天津伺服电机研究有限公司", f->street_a, "M7320", 8);
    /* R&D and an earlier purchase in the field for the good one */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2025",
             (long long)good);
    apitest_request(f->t, "PUT", url,
                    "{\"sales_revenue\": 80000000, \"rd_expense\": 6000000}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    apiresp_release(&r);
    apitest_uscc(11, code);
    snprintf(body, sizeof body,
             "{\"reg_no\": \"2025120100000009\", \"title\": \"驱动器开发\", "
             "\"type\": \"KF\", \"seller_name\": \"天津大学\", "
             "\"buyer_name\": \"天津伺服驱动有限公司\", \"buyer_uscc\": "
             "\"%s\", \"amount_wan\": \"30\", \"field\": 3, \"signed_on\": "
             "\"2025-03-01\", \"registered_on\": \"2025-03-10\"}",
             code);
    apitest_post_id(f->t, "/api/v1/contracts", body);
    ach = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"企业\", "
        "\"title\": \"一种伺服电机振动抑制方法\", \"org_name\": "
        "\"天津伺服电机研究有限公司\", \"summary\": "
        "\"伺服驱动器中的振动抑制算法\", \"field\": 3, "
        "\"industry_code\": \"3812\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    first = json_array_get(items, 0);
    /* the obvious match first, with every reason */
    assert_int_equal(apitest_jint(first, "ent_id"), good);
    assert_int_equal(json_array_size(json_object_get(first, "reasons")), 5);
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 3)),
        "买方"));
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 4)),
        "2025 年研发费用 600"));
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 1)),
        "行业代码 C3812 与成果的前 4 位相同"));
    assert_int_equal(apitest_jint(first, "rd_expense"), 6000000);
    /* the same field only, in street B: listed for the district */
    assert_true(ents_has(items, far));
    /* nothing in common (天津 … 有限公司 is no shared term); the holder
     * itself never */
    assert_false(ents_has(items, none));
    assert_false(ents_has(items, holder));
    assert_false(ents_has(items, f->ent_a));
    apiresp_release(&r);

    /* the export carries the same rows */
    snprintf(url, sizeof url,
             "/api/v1/market-items/%lld/enterprises?format=csv",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "天津伺服驱动有限公司"));
    assert_non_null(strstr(r.body, "天津东丽智能装备有限公司"));
    assert_null(strstr(r.body, "绿叶"));
    assert_non_null(strstr(r.body, "研发费用（万元）"));
    apiresp_release(&r);

    /* a demand has no enterprise list */
    demand =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"demand\", \"title\": \"振动抑制\", "
                        "\"org_name\": \"天津伺服驱动有限公司\", \"summary\": "
                        "\"振动\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)demand);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 400);

    /* a street user sees only its own enterprises */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(apitest_jint(json_array_get(items, 0), "ent_id"), good);
    assert_false(ents_has(items, far));
    assert_int_equal(json_array_size(items), 1);
    apiresp_release(&r);
}

/* The enterprises for each achievement through the term index equal the
 * scan's (pool_tix_set_enabled(0): the implementation before the index). */
static void ents_compare(Fx *f, const int64_t *achs, size_t n)
{
    size_t i, listed = 0;

    for (i = 0; i < n; i++) {
        char url[96];
        ApiResp r1, r2;
        snprintf(url, sizeof url,
                 "/api/v1/market-items/%lld/enterprises?limit=200",
                 (long long)achs[i]);
        apitest_request(f->t, "GET", url, NULL, NULL, &r1);
        if (r1.status == 404) { /* out of a street's scope */
            apiresp_release(&r1);
            continue;
        }
        pool_tix_set_enabled(0);
        apitest_request(f->t, "GET", url, NULL, NULL, &r2);
        pool_tix_set_enabled(1);
        assert_int_equal(r1.status, 200);
        assert_int_equal(r2.status, 200);
        if (!json_equal(r1.json, r2.json)) {
            fail_msg("achievement %lld: index %s scan %s", (long long)achs[i],
                     r1.body, r2.body);
        }
        listed += json_array_size(json_object_get(r1.json, "items"));
        apiresp_release(&r1);
        apiresp_release(&r2);
    }
    assert_true(listed > 0);
}

/* Generated enterprises (names, 技术子领域, industries, 高新技术领域, units,
 * buyers' contracts) and achievements: the same lists with and without
 * the index, also after audited writes to the enterprises. */
static void test_ents_equal_scan(void **state)
{
    static const char *const words[] = {"伺服", "电机", "精密", "机电", "光伏",
                                        "储能", "芯片", "检测", "中药", "焊接",
                                        "视觉", "材料", "纳米", "环保"};
    static const char *const inds[] = {"C3812", "C3819", "C3491", "C3811",
                                       "I6510", "C2710", "M7320"};
    Fx *f = *state;
    uint32_t seed = 7;
    int64_t ents[120], achs[10];
    size_t i;
    char body[1024], url[96], code[USCC_LEN + 1];

    for (i = 0; i < 120; i++) {
        char name[128];
        int dom = (int)(rnd_next(&seed) % 9);
        snprintf(name, sizeof name, "天津%s%s%zu有限公司",
                 words[rnd_next(&seed) % N_WORDS],
                 words[rnd_next(&seed) % N_WORDS], i);
        ents[i] =
            add_ent_x(f, 100 + (int)i, name, i % 3 ? f->street_a : f->street_b,
                      inds[rnd_next(&seed) % 7], dom);
    }
    for (i = 0; i < 8; i++) {
        apitest_uscc(100 + (int)(i * 5), code);
        snprintf(body, sizeof body,
                 "{\"reg_no\": \"20251201000002%02zu\", \"title\": \"开发\", "
                 "\"type\": \"KF\", \"seller_name\": \"天津大学\", "
                 "\"buyer_name\": \"买方\", \"buyer_uscc\": \"%s\", "
                 "\"amount_wan\": \"20\", \"field\": %zu, \"signed_on\": "
                 "\"2025-03-01\", \"registered_on\": \"2025-03-10\"}",
                 i, code, 1 + i % 3);
        apitest_post_id(f->t, "/api/v1/contracts", body);
    }
    for (i = 0; i < 10; i++) {
        /* the odd ones held by an enterprise of street A (its unit) */
        apitest_uscc(101 + (int)(i % 2 ? 3 * i : 0), code);
        snprintf(body, sizeof body,
                 "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
                 "\"title\": \"%s%s方法\", \"org_name\": \"天津大学\", "
                 "\"summary\": \"%s的应用\", \"field\": %u, "
                 "\"industry_code\": \"%s\"%s%s%s}",
                 words[rnd_next(&seed) % N_WORDS],
                 words[rnd_next(&seed) % N_WORDS],
                 words[rnd_next(&seed) % N_WORDS], 1 + rnd_next(&seed) % 8,
                 inds[rnd_next(&seed) % 7], i % 2 ? ", \"uscc\": \"" : "",
                 i % 2 ? code : "", i % 2 ? "\"" : "");
        achs[i] = apitest_post_id(f->t, "/api/v1/market-items", body);
    }
    ents_compare(f, achs, 10);
    /* renamed enterprises: the index sees them at once */
    for (i = 0; i < 120; i += 9) {
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld",
                 (long long)ents[i]);
        snprintf(body, sizeof body,
                 "{\"name\": \"天津伺服电机精密机电光伏储能%zu有限公司\"}", i);
        assert_int_equal(apitest_status(f->t, "PATCH", url, body), 200);
    }
    ents_compare(f, achs, 10);
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    ents_compare(f, achs, 10);
}

static int64_t audit_count(Fx *f, const char *action)
{
    int64_t n = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = $1",
                                    "t", action),
                     0);
    return n;
}

static int act(Fx *f, int64_t id, const char *body, ApiResp *r)
{
    char url[80];

    snprintf(url, sizeof url, "/api/v1/challenges/%lld/actions", (long long)id);
    return apitest_request(f->t, "POST", url, body, NULL, r);
}

static void test_challenge_lifecycle(void **state)
{
    Fx *f = *state;
    char body[512];
    int64_t demand, ch, app1, app2, contract, ms;
    json_t *apps;
    ApiResp r;

    demand = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"title\": \"振动抑制\", "
        "\"org_name\": \"天津河东精密机电有限公司\", \"summary\": "
        "\"振动\"}");
    snprintf(body, sizeof body,
             "{\"demand_id\": %lld, \"money_wan\": \"50\", \"date\": "
             "\"2026-12-31\"}",
             (long long)demand);
    ch = apitest_post_id(f->t, "/api/v1/challenges", body);
    /* out of order: no application before publishing */
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"天津大学\", "
                         "\"applicant_kind\": \"university\", \"proposal\": "
                         "\"方案\"}",
                         &r),
                     409);
    apiresp_release(&r);
    assert_int_equal(act(f, ch, "{\"action\": \"publish\"}", &r), 200);
    assert_string_equal(apitest_jstr(r.json, "stage"), "published");
    apiresp_release(&r);
    /* an unknown applicant kind: the message lists the served kinds */
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"某人\", "
                         "\"applicant_kind\": \"person\", \"proposal\": "
                         "\"方案\"}",
                         &r),
                     400);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "error"), "message"),
        "揭榜方类型应为 expert（专家）、university（高校）、"
        "institute（科研院所）或 enterprise（企业）");
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"天津大学\", "
                         "\"applicant_kind\": \"university\", \"proposal\": "
                         "\"陷波滤波方案\"}",
                         &r),
                     200);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"张教授\", "
                         "\"applicant_kind\": \"expert\", \"proposal\": "
                         "\"主动控制\"}",
                         &r),
                     200);
    apps = json_object_get(r.json, "applications_list");
    app1 = apitest_jint(json_array_get(apps, 0), "id");
    app2 = apitest_jint(json_array_get(apps, 1), "id");
    /* applicant kinds come named (the UI keeps no list of them) */
    assert_string_equal(
        apitest_jstr(json_array_get(apps, 0), "applicant_kind_name"), "高校");
    assert_string_equal(
        apitest_jstr(json_array_get(apps, 1), "applicant_kind_name"), "专家");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status"),
                        "applied");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status_name"),
                        "待定");
    apiresp_release(&r);
    /* selection needs a reason */
    snprintf(body, sizeof body, "{\"action\": \"select\", \"ref_id\": %lld}",
             (long long)app1);
    assert_int_equal(act(f, ch, body, &r), 400);
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"action\": \"select\", \"ref_id\": %lld, \"note\": "
             "\"方案成熟、成本低\"}",
             (long long)app1);
    assert_int_equal(act(f, ch, body, &r), 200);
    apps = json_object_get(r.json, "applications_list");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status"),
                        "selected");
    assert_string_equal(apitest_jstr(json_array_get(apps, 1), "status"),
                        "not_selected");
    /* named from the table GET /reference/market-items serves */
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status_name"),
                        "选定");
    assert_string_equal(apitest_jstr(json_array_get(apps, 1), "status_name"),
                        "未选定");
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/reference/market-items", NULL,
                                     NULL, &r),
                     200);
    {
        json_t *sts = json_object_get(json_object_get(r.json, "challenges"),
                                      "application_statuses");
        assert_int_equal(json_array_size(sts), 3);
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "value"),
                            "applied");
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "label"),
                            "待定");
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "value"),
                            "not_selected");
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "label"),
                            "未选定");
        /* the challenge page names its action buttons from here */
        sts = json_object_get(json_object_get(r.json, "challenges"), "actions");
        assert_int_equal(json_array_size(sts), 9);
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "value"),
                            "publish");
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "label"),
                            "审核发榜");
        /* the apply form's applicant kinds, the ones the check accepts */
        sts = json_object_get(json_object_get(r.json, "challenges"),
                              "applicant_kinds");
        assert_int_equal(json_array_size(sts), 4);
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "value"),
                            "institute");
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "label"),
                            "科研院所");
    }
    apiresp_release(&r);
    (void)app2;
    /* the contract when it is registered */
    contract = apitest_post_id(
        f->t, "/api/v1/contracts",
        "{\"reg_no\": \"2026120100000001\", \"title\": \"振动抑制技术开发\", "
        "\"type\": \"KF\", \"seller_name\": \"天津大学\", \"buyer_name\": "
        "\"天津河东精密机电有限公司\", \"amount_wan\": \"50\", "
        "\"signed_on\": \"2026-03-01\", \"registered_on\": \"2026-03-10\"}");
    snprintf(body, sizeof body,
             "{\"action\": \"link_contract\", \"ref_id\": %lld}",
             (long long)contract);
    assert_int_equal(act(f, ch, body, &r), 200);
    assert_int_equal(apitest_jint(r.json, "contract_id"), contract);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"milestone_add\", \"title\": "
                         "\"样机测试\", \"date\": \"2026-06-30\"}",
                         &r),
                     200);
    ms = apitest_jint(json_array_get(json_object_get(r.json, "milestones"), 0),
                      "id");
    apiresp_release(&r);
    /* acceptance waits for the milestones */
    assert_int_equal(
        act(f, ch, "{\"action\": \"accept\", \"note\": \"通过\"}", &r), 409);
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"action\": \"milestone_done\", \"ref_id\": %lld, \"date\": "
             "\"2026-06-20\"}",
             (long long)ms);
    assert_int_equal(act(f, ch, body, &r), 200);
    apiresp_release(&r);
    assert_int_equal(
        act(f, ch, "{\"action\": \"accept\", \"note\": \"振动降低 60%\"}", &r),
        200);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"close\", \"note\": "
                         "\"成果已在产线应用\", \"money_wan\": \"50\"}",
                         &r),
                     200);
    assert_string_equal(apitest_jstr(r.json, "stage"), "closed");
    assert_int_equal(apitest_jint(r.json, "reward_paid"), 500000);
    /* create + 9 transitions, each an event */
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 10);
    apiresp_release(&r);
    assert_int_equal(audit_count(f, "challenge.select"), 1);
    assert_int_equal(audit_count(f, "challenge.close"), 1);
    assert_int_equal(audit_count(f, "challenge.apply"), 2);
    /* closed: nothing more */
    assert_int_equal(
        act(f, ch, "{\"action\": \"withdraw\", \"note\": \"x\"}", &r), 409);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/challenges?stage=closed", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_items_rules_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terms_and_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_equals_reference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ents_equal_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_kept_over_login, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ents_for_achievement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_challenge_lifecycle, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
