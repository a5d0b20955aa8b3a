/* test_ent_list.c - the enterprise list (ent_list) against a plain
 * reference query: every filter, scope, sort and text search (1-2
 * characters through the gram index, 3+ through the trigram index, LIKE
 * for punctuation), capped totals, deep pages, and the derived columns
 * (ip1_until, the gram index) kept in step by the write paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/uscc.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/org.h"
#include "domain/accounts/user.h"
#include "domain/demo/demo.h"
#include "domain/library/ent.h"
#include "domain/library/industry.h"
#include "domain/library/ip.h"

#define N_DEMO 600
#define MAX_IDS 2000

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;
    Actor agent; /* 街道专员 of the first 街道 */
    int64_t street;
    int64_t other_street;
} Fixture;

static int64_t count(Db *db, const char *sql)
{
    int64_t n = -1;
    Err e;

    if (db_query_int64(db, &n, &e, sql, "") != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
    return n;
}

/* A fresh database with a demo district of N_DEMO enterprises, a few of
 * them retired. */
static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    DemoOptions o;
    DemoReport rep;
    Err e;
    int i;

    assert_non_null(f);
    user_set_hash_cost_for_tests();
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_entlist_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    testdb_use(f->path, sizeof f->path, f->dir);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    actor_init_system(&f->sys);
    memset(&o, 0, sizeof o);
    o.enterprises = N_DEMO;
    o.seed = 7;
    o.last_year = 2024;
    if (demo_generate(f->db, &f->sys, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    f->street = count(f->db, "SELECT id FROM org_units WHERE name = "
                             "'东新街道'");
    f->other_street = count(f->db, "SELECT id FROM org_units WHERE name = "
                                   "'大王庄街道'");
    f->agent = f->sys;
    f->agent.role = ROLE_AGENT;
    assert_int_equal(org_path(f->db, f->street, f->agent.unit_path,
                              sizeof f->agent.unit_path, NULL, &e),
                     0);
    for (i = 1; i <= N_DEMO; i += 37) {
        assert_int_equal(ent_retire(f->db, &f->sys, i, "注销", &e), 0);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char p[160];

    ent_set_total_cap_for_tests(0);
    db_close(f->db);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    testdb_drop(f->path);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The list as the plain query it replaces computes it: join to the units
 * for scope, LIKE for every search, EXISTS for the class-Ⅰ rights, NULLs
 * last. Returns the number of ids written to ids. */
static size_t reference(Fixture *f, const Actor *a, const EntFilter *flt,
                        const char *order, int64_t *ids)
{
    char sql[4096];
    char like[256];
    char from[16], to[16], today[DATE_ISO_SIZE];
    const char *lk = db_like_ci(f->db);
    char unit_path[ACTOR_PATH_MAX] = "";
    DbStmt *st = NULL;
    size_t n = 0, o = 0;
    size_t i;
    Err e;
    int rc;

    if (flt->unit_id) {
        assert_int_equal(org_path(f->db, flt->unit_id, unit_path,
                                  sizeof unit_path, NULL, &e),
                         0);
    }
    like[o++] = '%';
    if (flt->q) {
        /* The tests' texts have no spaces to trim. */
        for (i = 0; flt->q[i]; i++) {
            if (strchr("%_\\", flt->q[i])) {
                like[o++] = '\\';
            }
            like[o++] = flt->q[i];
        }
    }
    like[o++] = '%';
    like[o] = '\0';
    /* dates computed here, so the SQL is the same on both backends */
    snprintf(from, sizeof from, "%04d-01-01",
             (int)(flt->established_from % 10000));
    snprintf(to, sizeof to, "%04d-12-31", (int)(flt->established_to % 10000));
    date_format_iso(date_today(), today);
    snprintf(
        sql, sizeof sql,
        "SELECT e.id FROM enterprises e JOIN org_units o ON o.id = e.unit_id "
        "WHERE substr(o.path, 1, length($1)) = $1 AND ($2 = '' OR "
        "substr(o.path, 1, length($2)) = $2) AND ($3 = 1 OR e.retired_at IS "
        "NULL) AND ($4 = '' OR (e.industry_code >= $4 AND e.industry_code < "
        "$4 || '~')) AND ($5 = 0 OR e.tech_domain = $5) AND ($6 = '' OR "
        "e.listing_status = $6) AND ($7 = 0 OR e.latest_revenue >= $8) AND "
        "($9 = 0 OR e.latest_revenue <= $10) AND ($11 = 0 OR e.latest_rd_bp "
        ">= $12) AND ($13 = 0 OR e.latest_rd_bp <= $14) AND ($15 = 0 OR "
        "e.established_on >= $19) AND ($16 = 0 OR "
        "e.established_on <= $20) AND ($17 = 0 OR "
        "EXISTS (SELECT 1 FROM ip_rights p WHERE p.enterprise_id = e.id AND "
        "p.klass = 1 AND p.status = 'valid' AND p.retired_at IS NULL AND "
        "(p.expires_on IS NULL OR p.expires_on >= $21))) AND ($18 = "
        "'%%%%' OR e.name %s $18 ESCAPE '\\' OR e.uscc %s $18 ESCAPE '\\' "
        "OR EXISTS (SELECT 1 FROM enterprise_names n WHERE n.enterprise_id = "
        "e.id AND n.name %s $18 ESCAPE '\\')) ORDER BY %s",
        lk, lk, lk, order);
    assert_int_equal(
        db_prepare_v(
            f->db, &st, &e, sql, "ttititiiiiiiiiiiitttt",
            strcmp(a->unit_path, "/") ? a->unit_path : "/", unit_path,
            (int64_t)flt->include_retired, flt->industry ? flt->industry : "",
            flt->tech_domain, flt->listing_status ? flt->listing_status : "",
            (int64_t)flt->has_revenue_min, flt->revenue_min,
            (int64_t)flt->has_revenue_max, flt->revenue_max,
            (int64_t)flt->has_rd_min, flt->rd_min_bp, (int64_t)flt->has_rd_max,
            flt->rd_max_bp, flt->established_from, flt->established_to,
            (int64_t)flt->has_ip1, like, from, to, today),
        0);
    while ((rc = db_step(st, &e)) == DB_ROW) {
        assert_true(n < MAX_IDS);
        ids[n++] = db_col_int64(st, 0);
    }
    assert_int_equal(rc, DB_DONE);
    db_finalize(st);
    return n;
}

/* Compare ent_list (whole list, then a page in the middle) with the
 * reference for filter flt; returns the number of matches. */
static size_t check(Fixture *f, const Actor *a, EntFilter flt,
                    const char *order)
{
    static int64_t want[MAX_IDS];
    char ind[INDUSTRY_CODE_MAX];
    json_t *items = NULL;
    int64_t total = -1;
    int exact = -1;
    size_t n, i;
    Err e;

    n = reference(f, a, &flt, order, want);
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    if (ent_list(f->db, a, &flt, 0, MAX_IDS, &items, &total, &exact, &e)) {
        fail_msg("ent_list: %s", e.msg);
    }
    if (json_array_size(items) != n) {
        fail_msg("q=%s sort=%s: %zu rows, reference %zu", flt.q ? flt.q : "",
                 flt.sort ? flt.sort : "", json_array_size(items), n);
    }
    for (i = 0; i < n; i++) {
        int64_t got =
            json_integer_value(json_object_get(json_array_get(items, i), "id"));
        if (got != want[i]) {
            fail_msg("q=%s sort=%s: row %zu is %lld, reference %lld",
                     flt.q ? flt.q : "", flt.sort ? flt.sort : "", i,
                     (long long)got, (long long)want[i]);
        }
    }
    json_decref(items);
    assert_int_equal(total, (int64_t)n);
    assert_int_equal(exact, 1);
    /* A page in the middle. */
    if (n > 10) {
        assert_int_equal(
            ent_list(f->db, a, &flt, 7, 3, &items, &total, &exact, &e), 0);
        assert_int_equal(json_array_size(items), 3);
        for (i = 0; i < 3; i++) {
            assert_int_equal(json_integer_value(json_object_get(
                                 json_array_get(items, i), "id")),
                             want[7 + i]);
        }
        json_decref(items);
    }
    return n;
}

/* Two characters of text starting at character k (UTF-8) into out. */
static void chars_at(const char *text, int k, int len, char *out)
{
    const unsigned char *p = (const unsigned char *)text;
    int c = 0;
    size_t o = 0;

    while (*p && c < k + len) {
        size_t l = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if (c >= k) {
            memcpy(out + o, p, l);
            o += l;
        }
        p += l;
        c++;
    }
    out[o] = '\0';
}

static char *text_of(Db *db, const char *sql)
{
    char *s = NULL;
    Err e;

    assert_int_equal(db_query_text(db, &s, &e, sql, ""), 0);
    return s;
}

static void test_filters_match_reference(void **state)
{
    Fixture *f = *state;
    EntFilter flt;

    memset(&flt, 0, sizeof flt);
    /* Default order (name), all and the agent's scope. */
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 500);
    assert_true(check(f, &f->agent, flt, "e.name, e.id") > 20);
    flt.include_retired = 1;
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"), N_DEMO);
    flt.include_retired = 0;

    /* Unit filter (a leaf: the (unit_id, revenue) index, both ways). */
    flt.unit_id = f->other_street;
    flt.sort = "-latest_revenue";
    assert_true(check(f, &f->sys, flt,
                      "(e.latest_revenue IS NULL), e.latest_revenue DESC, "
                      "e.id DESC") > 20);
    flt.sort = "latest_revenue";
    check(f, &f->sys, flt,
          "(e.latest_revenue IS NULL), e.latest_revenue, e.id");
    flt.sort = "name";
    check(f, &f->sys, flt, "e.name, e.id");
    /* The root as unit filter covers every unit. */
    flt.unit_id = count(f->db, "SELECT id FROM org_units WHERE parent_id IS "
                               "NULL");
    check(f, &f->sys, flt, "e.name, e.id");
    flt.unit_id = 0;

    flt.industry = "C";
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    flt.industry = NULL;
    flt.tech_domain = 1;
    flt.sort = "-registered_capital";
    check(f, &f->sys, flt,
          "(e.registered_capital IS NULL), e.registered_capital DESC, e.id "
          "DESC");
    flt.tech_domain = 0;
    flt.listing_status = "none";
    flt.sort = "uscc";
    check(f, &f->agent, flt, "e.uscc, e.id");
    flt.listing_status = NULL;
    flt.has_revenue_min = flt.has_revenue_max = 1;
    flt.revenue_min = 5000000;
    flt.revenue_max = 50000000;
    flt.sort = "-latest_rd_bp";
    assert_true(check(f, &f->sys, flt,
                      "(e.latest_rd_bp IS NULL), e.latest_rd_bp DESC, e.id "
                      "DESC") > 10);
    flt.has_revenue_min = flt.has_revenue_max = 0;
    flt.has_rd_min = 1;
    flt.rd_min_bp = 300;
    flt.sort = "established_on";
    check(f, &f->sys, flt,
          "(e.established_on IS NULL), e.established_on, e.id");
    flt.has_rd_min = 0;
    flt.established_from = 2015;
    flt.established_to = 2020;
    flt.sort = "-id";
    check(f, &f->sys, flt, "e.id DESC");
    flt.established_from = flt.established_to = 0;
    flt.has_ip1 = 1;
    flt.sort = NULL;
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 50);
    flt.unit_id = f->street;
    check(f, &f->agent, flt, "e.name, e.id");
}

static void test_search_matches_reference(void **state)
{
    Fixture *f = *state;
    EntFilter flt;
    char q[64];
    char *name;
    char *former;
    char *uscc;
    int k;

    memset(&flt, 0, sizeof flt);
    name = text_of(f->db, "SELECT name FROM enterprises WHERE id = 42");
    former = text_of(f->db, "SELECT n.name FROM enterprise_names n JOIN "
                            "enterprises e ON e.id = n.enterprise_id WHERE "
                            "e.retired_at IS NULL ORDER BY n.id LIMIT 1");
    uscc = text_of(f->db, "SELECT uscc FROM enterprises WHERE id = 77");
    /* 1 and 2 characters of the current name (the 字号 and around). */
    for (k = 2; k < 6; k++) {
        chars_at(name, k, 1, q);
        flt.q = q;
        assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
        chars_at(name, k, 2, q);
        assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
        check(f, &f->agent, flt, "e.name, e.id");
    }
    /* A fragment only a former name has. */
    for (k = 2; former[0] && k < 5; k++) {
        chars_at(former, k, 2, q);
        flt.q = q;
        assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    }
    /* USCC fragments: digits, letters in either case, one character. */
    chars_at(uscc, 10, 2, q);
    flt.q = q;
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    flt.q = "MA";
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    flt.q = "ma";
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    flt.q = "9";
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"),
                     (size_t)count(f->db, "SELECT COUNT(*) FROM enterprises "
                                          "WHERE retired_at IS NULL"));
    chars_at(uscc, 16, 2, q);
    flt.q = q;
    check(f, &f->sys, flt, "e.name, e.id");
    /* 3+ characters (trigram), punctuation and wildcards (LIKE). */
    chars_at(name, 2, 4, q);
    flt.q = q;
    assert_true(check(f, &f->sys, flt, "e.name, e.id") > 0);
    flt.q = "有限公司";
    check(f, &f->sys, flt, "e.name, e.id");
    flt.q = "%";
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"), 0);
    flt.q = "_";
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"), 0);
    flt.q = "（";
    check(f, &f->sys, flt, "e.name, e.id");
    flt.q = "无此";
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"), 0);
    /* Retired ones only on request; other filters and sorts combined. */
    flt.q = "天津";
    flt.include_retired = 1;
    assert_int_equal(check(f, &f->sys, flt, "e.name, e.id"), N_DEMO);
    flt.include_retired = 0;
    flt.sort = "-latest_revenue";
    flt.unit_id = f->street;
    check(f, &f->agent, flt,
          "(e.latest_revenue IS NULL), e.latest_revenue DESC, e.id DESC");
    free(name);
    free(former);
    free(uscc);
}

/* With a cap below the number of matches: the total says "cap, more"; the
 * FTS searches walk the list in sort order instead (many matches); pages
 * are still exact. */
static void test_capped_totals(void **state)
{
    Fixture *f = *state;
    static int64_t want[MAX_IDS];
    char ind[INDUSTRY_CODE_MAX];
    const char *qs[] = {NULL, "天津", "有限公司", "科", "MA"};
    EntFilter flt;
    json_t *items = NULL;
    int64_t total;
    size_t i, n, k;
    int exact;
    Err e;

    ent_set_total_cap_for_tests(50);
    for (k = 0; k < sizeof qs / sizeof qs[0] + 3; k++) {
        memset(&flt, 0, sizeof flt);
        if (k < sizeof qs / sizeof qs[0]) {
            flt.q = qs[k];
        } else if (k == sizeof qs / sizeof qs[0]) {
            flt.has_ip1 = 1; /* filters with many matches */
        } else if (k == sizeof qs / sizeof qs[0] + 1) {
            flt.has_revenue_min = 1;
            flt.revenue_min = 1000000;
            flt.listing_status = "none";
        } else {
            flt.established_from = 2000;
            flt.tech_domain = 0;
            flt.q = "有限";
        }
        flt.sort = "-latest_revenue";
        n = reference(f, &f->sys, &flt,
                      "(e.latest_revenue IS NULL), e.latest_revenue DESC, "
                      "e.id DESC",
                      want);
        assert_true(n > 60);
        assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
        assert_int_equal(ent_list(f->db, &f->sys, &flt, n - 5, 20, &items,
                                  &total, &exact, &e),
                         0);
        assert_int_equal(total, 50);
        assert_int_equal(exact, 0);
        assert_int_equal(json_array_size(items), 5);
        for (i = 0; i < 5; i++) {
            assert_int_equal(json_integer_value(json_object_get(
                                 json_array_get(items, i), "id")),
                             want[n - 5 + i]);
        }
        json_decref(items);
    }
    /* Under the cap: exact, also past the end of a searched list. */
    memset(&flt, 0, sizeof flt);
    flt.q = "无此";
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    assert_int_equal(
        ent_list(f->db, &f->sys, &flt, 40, 20, &items, &total, &exact, &e), 0);
    assert_int_equal(total, 0);
    assert_int_equal(exact, 1);
    json_decref(items);
    flt.q = "科";
    flt.unit_id = f->street;
    ent_set_total_cap_for_tests(5000);
    n = reference(f, &f->sys, &flt, "e.name, e.id", want);
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    assert_int_equal(
        ent_list(f->db, &f->sys, &flt, n + 10, 20, &items, &total, &exact, &e),
        0);
    assert_int_equal(json_array_size(items), 0);
    assert_int_equal(total, (int64_t)n);
    assert_int_equal(exact, 1);
    json_decref(items);
    ent_set_total_cap_for_tests(0);
}

/* Total of ent_list for a search text (sys actor). */
static int64_t search_total(Fixture *f, const char *q, int include_retired)
{
    char ind[INDUSTRY_CODE_MAX];
    EntFilter flt;
    json_t *items = NULL;
    int64_t total = -1;
    Err e;

    memset(&flt, 0, sizeof flt);
    flt.q = q;
    flt.include_retired = include_retired;
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    assert_int_equal(
        ent_list(f->db, &f->sys, &flt, 0, 10, &items, &total, NULL, &e), 0);
    json_decref(items);
    return total;
}

/* The gram index follows creates, renames (old name kept as a former
 * name), USCC case and retirement. */
static void test_search_follows_writes(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char prefix[18];
    EntInput in;
    int64_t id = 0;
    int64_t kx;
    Err e;

    snprintf(prefix, sizeof prefix, "91120102MAKX%05d", 123);
    memcpy(code, prefix, 17);
    code[17] = uscc_check_char(prefix);
    code[18] = '\0';
    assert_int_equal(search_total(f, "鹦鹉", 0), 0);
    kx = search_total(f, "kx", 0);
    memset(&in, 0, sizeof in);
    in.uscc = code;
    in.name = "天津鹦鹉螺（海洋）科技有限公司";
    in.unit_id = f->street;
    if (ent_create(f->db, &f->sys, &in, NULL, &id, &e) != 0) {
        fail_msg("ent_create: %s", e.msg);
    }
    assert_int_equal(search_total(f, "鹦鹉", 0), 1);
    assert_int_equal(search_total(f, "鹉", 0), 1);
    assert_int_equal(search_total(f, "kx", 0), kx + 1);
    assert_int_equal(search_total(f, "KX", 0), kx + 1);
    assert_int_equal(search_total(f, "（海", 0), 1);
    {
        /* The code as the page groups it, hyphenated, full-width, lower
         * case: all find the enterprise. */
        char grouped[64];
        snprintf(grouped, sizeof grouped, "%.2s %.6s %.10s", code, code + 2,
                 code + 8);
        assert_int_equal(search_total(f, grouped, 0), 1);
        snprintf(grouped, sizeof grouped, "%.2s-%.6s-%.10s", code, code + 2,
                 code + 8);
        assert_int_equal(search_total(f, grouped, 0), 1);
        assert_int_equal(search_total(f,
                                      "\xEF\xBC\x99\xEF\xBC\x91 120102 "
                                      "makx",
                                      0),
                         1);
    }
    memset(&in, 0, sizeof in);
    in.name = "天津鲸落生物有限公司";
    assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e), 0);
    assert_int_equal(search_total(f, "鲸落", 0), 1);
    assert_int_equal(search_total(f, "鹦鹉", 0), 1); /* former name */
    assert_int_equal(search_total(f, "鹦鹉螺", 0), 1);
    assert_int_equal(ent_retire(f->db, &f->sys, id, "注销", &e), 0);
    assert_int_equal(search_total(f, "鲸落", 0), 0);
    assert_int_equal(search_total(f, "鲸落", 1), 1);
    assert_int_equal(search_total(f, "鹦", 1), 1);
    /* Every enterprise has its grams row, and only those (SQLite: the
     * FTS tables of the search hook; PostgreSQL: migration pg/022). */
    if (db_search_fts(f->db)) {
        assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_grams"),
                         count(f->db, "SELECT COUNT(*) FROM enterprises"));
    } else {
        assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_search"),
                         count(f->db, "SELECT COUNT(*) FROM enterprises"));
    }
    /* A former name removed: its grams go with it (the index's delete
     * trigger), the current name's stay. */
    assert_int_equal(db_exec_v(f->db, &e,
                               "DELETE FROM enterprise_names WHERE "
                               "enterprise_id = $1",
                               "i", id),
                     0);
    assert_int_equal(search_total(f, "鹦鹉", 1), 0);
    assert_int_equal(search_total(f, "鹦", 1), 0);
    assert_int_equal(search_total(f, "鲸落", 1), 1);
    assert_int_equal(search_total(f, "鲸", 1), 1);
}

/* ip1_until follows ip_create / ip_retire; bulk writers refresh it with
 * ent_refresh_derived over a range of ids. */
static void test_ip1_derived(void **state)
{
    Fixture *f = *state;
    IpInput ip;
    int64_t ent, ip_id = 0;
    Err e;

    ent = count(f->db, "SELECT MIN(e.id) FROM enterprises e WHERE "
                       "e.retired_at IS NULL AND e.ip1_until IS NULL");
    assert_true(ent > 0);
    memset(&ip, 0, sizeof ip);
    ip.kind = "invention";
    ip.number = "ZL202310000001.1";
    ip.title = "一种测试装置";
    ip.applied_on = "2023-01-01";
    ip.granted_on = "2024-01-01";
    assert_int_equal(ip_create(f->db, &f->sys, ent, &ip, NULL, &ip_id, &e), 0);
    {
        char sql[128];
        char *until;
        snprintf(sql, sizeof sql,
                 "SELECT ip1_until FROM enterprises WHERE id = %lld",
                 (long long)ent);
        until = text_of(f->db, sql);
        assert_string_equal(until, "2042-12-31"); /* 20 years */
        free(until);
        assert_int_equal(ip_retire(f->db, &f->sys, ent, ip_id, "转让", &e), 0);
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM enterprises WHERE id = %lld AND "
                 "ip1_until IS NULL",
                 (long long)ent);
        assert_int_equal(count(f->db, sql), 1);
    }
    /* A bulk write without the refresh leaves the column stale; a range
     * refresh mends exactly that range. */
    assert_int_equal(db_exec(f->db,
                             "UPDATE ip_rights SET status = 'lapsed' WHERE "
                             "klass = 1",
                             &e),
                     0);
    assert_true(count(f->db, "SELECT COUNT(*) FROM enterprises WHERE "
                             "ip1_until IS NOT NULL") > 100);
    assert_int_equal(ent_refresh_derived(f->db, 1, 100, ENT_DERIVED_IP1, &e),
                     0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprises WHERE "
                                  "ip1_until IS NOT NULL AND id <= 100"),
                     0);
    assert_true(count(f->db, "SELECT COUNT(*) FROM enterprises WHERE "
                             "ip1_until IS NOT NULL AND id > 100") > 0);
    assert_int_equal(ent_refresh_derived(f->db, 0, 0, ENT_DERIVED_ALL, &e), 0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprises WHERE "
                                  "ip1_until IS NOT NULL"),
                     0);
    /* The latest_* columns: the set-based refresh agrees with the stored
     * values (kept by ent_refresh_latest and the demo). */
    assert_int_equal(
        db_exec(f->db,
                "CREATE TABLE before_t AS SELECT id, latest_year, "
                "latest_revenue, latest_rd_bp FROM enterprises; UPDATE "
                "enterprises SET latest_year = NULL, latest_revenue = NULL, "
                "latest_rd_bp = NULL",
                &e),
        0);
    assert_int_equal(ent_refresh_derived(f->db, 0, 0, ENT_DERIVED_LATEST, &e),
                     0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprises e JOIN "
                                  "before_t b ON b.id = e.id WHERE "
                                  "e.latest_year IS DISTINCT FROM "
                                  "b.latest_year OR e.latest_revenue IS "
                                  "DISTINCT FROM b.latest_revenue OR "
                                  "e.latest_rd_bp IS DISTINCT FROM "
                                  "b.latest_rd_bp"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_filters_match_reference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_matches_reference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_capped_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_follows_writes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ip1_derived, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
