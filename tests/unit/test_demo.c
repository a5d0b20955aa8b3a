/* test_demo.c - the synthetic district generator (domain/demo.c):
 * determinism for a seed, valid codes, counts, consistency of the figures
 * with the rules of ent_year, one audit entry per run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/uscc.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/user.h"
#include "domain/demo/demo.h"

typedef struct TmpDb {
    char dir[64];
    char path[128];
    Db *db;
} TmpDb;

static void tmp_open(TmpDb *t)
{
    Err e;

    snprintf(t->dir, sizeof t->dir, "/tmp/kc_test_demo_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    testdb_use(t->path, sizeof t->path, t->dir);
    assert_int_equal(db_open(&t->db, t->path, &e), 0);
    assert_int_equal(db_migrate(t->db, NULL, &e), 0);
}

static void tmp_close(TmpDb *t)
{
    char p[160];

    db_close(t->db);
    snprintf(p, sizeof p, "%s-wal", t->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", t->path);
    unlink(p);
    testdb_drop(t->path);
    unlink(t->path);
    rmdir(t->dir);
}

static int64_t count(Db *db, const char *sql)
{
    int64_t n = -1;
    Err e;

    if (db_query_int64(db, &n, &e, sql, "") != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
    return n;
}

/* FNV-1a over every column of every row of sql (NULL hashed apart). */
static uint64_t hash_query(Db *db, const char *sql)
{
    uint64_t h = 1469598103934665603ULL;
    DbStmt *st = NULL;
    Err e;
    int rc;
    int c;

    assert_int_equal(db_prepare(db, sql, &st, &e), 0);
    while ((rc = db_step(st, &e)) == DB_ROW) {
        for (c = 0; c < db_col_count(st); c++) {
            const char *s = db_col_text(st, c);
            const char *p = s ? s : "\x01NULL";
            for (; *p; p++) {
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
            }
            h = (h ^ 0x1F) * 1099511628211ULL;
        }
    }
    assert_int_equal(rc, DB_DONE);
    db_finalize(st);
    return h;
}

/* Hash of the generated content (no ids of other tables, no times). */
static uint64_t hash_district(Db *db, int64_t max_id)
{
    char sql[1024];
    uint64_t h = 0;

    snprintf(sql, sizeof sql,
             "SELECT e.uscc, e.name, o.name, e.address, e.legal_rep, "
             "e.established_on, e.registered_capital, e.industry_code, "
             "e.tech_domain, e.listing_status, e.contact_name, "
             "e.contact_phone, e.latest_year, e.latest_revenue, "
             "e.latest_rd_bp FROM enterprises e JOIN org_units o ON o.id = "
             "e.unit_id WHERE e.id <= %lld ORDER BY e.id",
             (long long)max_id);
    h ^= hash_query(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT e.uscc, y.year, y.employees, y.tech_staff, y.rd_staff, "
             "y.sales_revenue, y.total_revenue, y.main_revenue, "
             "y.hitech_income, y.rd_expense, y.rd_domestic, y.total_cost, "
             "y.total_assets, y.total_liabilities, y.net_profit, "
             "y.equity_financing, y.tax_paid FROM enterprise_years y JOIN "
             "enterprises e ON e.id = y.enterprise_id WHERE e.id <= %lld "
             "ORDER BY e.id, y.year",
             (long long)max_id);
    h = h * 31 + hash_query(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT e.uscc, p.kind, p.klass, p.number, p.title, "
             "p.applied_on, p.granted_on, p.expires_on, p.status, "
             "p.acquisition, p.acquired_on, p.main_product, p.hnte_year "
             "FROM ip_rights p JOIN enterprises e ON e.id = p.enterprise_id "
             "WHERE e.id <= %lld ORDER BY p.id",
             (long long)max_id);
    h = h * 31 + hash_query(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT e.uscc, f.kind, f.subkind, f.level, f.rank, f.amount, "
             "f.counterparty, f.title, f.occurred_on, f.valid_to FROM "
             "enterprise_facts f JOIN enterprises e ON e.id = "
             "f.enterprise_id WHERE e.id <= %lld ORDER BY f.id",
             (long long)max_id);
    h = h * 31 + hash_query(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT e.uscc, n.name, n.used_to FROM enterprise_names n JOIN "
             "enterprises e ON e.id = n.enterprise_id WHERE e.id <= %lld "
             "ORDER BY n.id",
             (long long)max_id);
    return h * 31 + hash_query(db, sql);
}

static void run_demo(TmpDb *t, int64_t n, uint64_t seed, DemoReport *rep)
{
    DemoOptions o;
    Actor a;
    Err e;

    memset(&o, 0, sizeof o);
    o.enterprises = n;
    o.seed = seed;
    o.years = 4;
    o.last_year = 2024;
    actor_init_system(&a);
    err_clear(&e);
    if (demo_generate(t->db, &a, &o, NULL, NULL, rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
}

static void test_orgcode(void **state)
{
    char out[10];

    (void)state;
    /* Embedded organisation codes of published valid USCCs. */
    demo_orgcode("60003734", out);
    assert_string_equal(out, "600037341");
    demo_orgcode("71526726", out);
    assert_string_equal(out, "71526726X");
    demo_orgcode("MA2PBM9H", out);
    assert_string_equal(out, "MA2PBM9HX");
    demo_orgcode("06401255", out);
    assert_string_equal(out, "064012553");
}

static void test_same_seed_same_data(void **state)
{
    TmpDb a, b, c, small;
    DemoReport ra, rb, rc, rs;
    uint64_t ha, hb, hc;

    (void)state;
    tmp_open(&a);
    tmp_open(&b);
    tmp_open(&c);
    tmp_open(&small);
    run_demo(&a, 400, 42, &ra);
    run_demo(&b, 400, 42, &rb);
    run_demo(&c, 400, 43, &rc);
    run_demo(&small, 150, 42, &rs);
    ha = hash_district(a.db, 400);
    hb = hash_district(b.db, 400);
    hc = hash_district(c.db, 400);
    assert_true(ha == hb);
    assert_true(ha != hc);
    assert_memory_equal(&ra, &rb, sizeof ra);
    /* Enterprise i does not depend on N. */
    assert_true(hash_district(a.db, 150) == hash_district(small.db, 150));
    assert_int_equal(ra.enterprises, 400);
    assert_int_equal(rs.enterprises, 150);
    tmp_close(&a);
    tmp_close(&b);
    tmp_close(&c);
    tmp_close(&small);
}

static void test_content(void **state)
{
    TmpDb t;
    DemoReport rep;
    DbStmt *st = NULL;
    DemoOptions o;
    Actor a;
    int64_t n = 0;
    int rc;
    Err e;

    (void)state;
    tmp_open(&t);
    run_demo(&t, 1000, 7, &rep);
    /* Root + 13 街道 + 2 园区. */
    assert_int_equal(rep.units_created, 16);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM org_units WHERE kind "
                                 "= 'subdistrict'"),
                     13);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprises"), 1000);
    assert_int_equal(count(t.db, "SELECT COUNT(DISTINCT uscc) FROM "
                                 "enterprises"),
                     1000);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprise_years"),
                     rep.year_rows);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM ip_rights"),
                     rep.ip_rights);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprise_facts"),
                     rep.facts);
    assert_true(rep.ip_rights > 1000);
    /* 高企 certificate numbers (GR + year + 12 + serial) count within
     * their year, 000001 upwards, with no gap and no repeat: one counter
     * per year, so a large library does not wrap onto a number given */
    assert_true(count(t.db, "SELECT COUNT(*) FROM qualifications WHERE kind "
                            "= 'hnte' AND cert_no LIKE 'GR%'") > 20);
    assert_int_equal(
        count(t.db,
              "SELECT COUNT(*) FROM (SELECT substr(cert_no, 3, 4) AS y, "
              "COUNT(*) AS n, MIN(CAST(substr(cert_no, 9) AS INTEGER)) AS lo, "
              "MAX(CAST(substr(cert_no, 9) AS INTEGER)) AS hi, "
              "COUNT(DISTINCT cert_no) AS d FROM qualifications WHERE kind = "
              "'hnte' AND cert_no LIKE 'GR%' GROUP BY substr(cert_no, 3, 4)) "
              "g WHERE lo <> 1 OR hi <> n OR d <> n"),
        0);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM qualifications WHERE "
                                 "kind = 'hnte' AND cert_no LIKE 'GR%' AND "
                                 "substr(cert_no, 3, 4) <> substr(valid_from, "
                                 "1, 4)"),
                     0);
    assert_true(rep.former_names > 20);
    /* Every code is valid, its embedded organisation code too. */
    assert_int_equal(db_prepare(t.db, "SELECT uscc FROM enterprises", &st, &e),
                     0);
    while ((rc = db_step(st, &e)) == DB_ROW) {
        char norm[USCC_LEN + 1];
        const char *code = db_col_text(st, 0);
        assert_int_equal(uscc_normalize(code, norm, &e), 0);
        assert_string_equal(norm, code);
        assert_int_equal(uscc_check_orgcode(code, &e), 0);
        assert_memory_equal(code, "91120102", 8);
        n++;
    }
    assert_int_equal(rc, DB_DONE);
    db_finalize(st);
    assert_int_equal(n, 1000);
    /* 1-4 years each, within 2021-2024, none before founding. */
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM (SELECT enterprise_id "
                                 "FROM enterprise_years GROUP BY 1 HAVING "
                                 "COUNT(*) < 1 OR COUNT(*) > 4) AS c"),
                     0);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprises WHERE id "
                                 "NOT IN (SELECT enterprise_id FROM "
                                 "enterprise_years)"),
                     0);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprise_years WHERE "
                                 "year < 2021 OR year > 2024"),
                     0);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprise_years y "
                                 "JOIN enterprises e ON e.id = "
                                 "y.enterprise_id WHERE y.year < "
                                 "CAST(substr(e.established_on, 1, 4) AS "
                                 "INTEGER)"),
                     0);
    /* Enterprises with history: at least some span all four years. */
    assert_true(count(t.db, "SELECT COUNT(*) FROM (SELECT enterprise_id FROM "
                            "enterprise_years GROUP BY 1 HAVING COUNT(*) = "
                            "4) AS c") > 500);
    /* Figures obey the checks of ent_year_write. */
    assert_int_equal(
        count(t.db, "SELECT COUNT(*) FROM enterprise_years WHERE tech_staff "
                    "> employees OR rd_staff > employees OR rd_domestic > "
                    "rd_expense OR main_revenue > sales_revenue OR "
                    "hitech_income > total_revenue OR sales_revenue < 0 OR "
                    "rd_expense < 0"),
        0);
    /* The list columns match the latest year. */
    assert_int_equal(
        count(t.db, "SELECT COUNT(*) FROM enterprises e JOIN enterprise_years "
                    "y ON y.enterprise_id = e.id AND y.year = e.latest_year "
                    "WHERE e.latest_revenue IS DISTINCT FROM "
                    "y.sales_revenue"),
        0);
    /* Skewed revenues: the mean well above the median. */
    {
        int64_t mean = count(t.db, "SELECT AVG(latest_revenue) FROM "
                                   "enterprises");
        int64_t median = count(t.db, "SELECT latest_revenue FROM enterprises "
                                     "ORDER BY latest_revenue LIMIT 1 "
                                     "OFFSET 500");
        assert_true(mean > median * 3 / 2);
    }
    /* Both growth and decline between the first and last year. */
    assert_true(count(t.db,
                      "SELECT COUNT(*) FROM enterprise_years a JOIN "
                      "enterprise_years b ON a.enterprise_id = "
                      "b.enterprise_id AND a.year = 2023 AND b.year = "
                      "2024 WHERE b.sales_revenue < a.sales_revenue") > 50);
    assert_true(count(t.db,
                      "SELECT COUNT(*) FROM enterprise_years a JOIN "
                      "enterprise_years b ON a.enterprise_id = "
                      "b.enterprise_id AND a.year = 2023 AND b.year = "
                      "2024 WHERE b.sales_revenue > a.sales_revenue") > 300);
    /* IP classes follow the types; a few credit flags. */
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM ip_rights WHERE "
                                 "(kind IN ('invention', 'plant_variety', "
                                 "'ic_layout') AND klass <> 1) OR (kind IN "
                                 "('utility', 'design', 'software') AND "
                                 "klass <> 2)"),
                     0);
    n = count(t.db, "SELECT COUNT(*) FROM enterprise_facts WHERE kind = "
                    "'credit_flag'");
    assert_true(n > 0 && n < 100);
    /* The qualifications register: 高企 certificates of the enterprises
     * that declare one, with the same period, one of them revoked (the
     * demo's declaration conflict); some ended records; 科小 numbers. */
    assert_int_equal(
        count(t.db,
              "SELECT COUNT(*) FROM enterprise_declarations d WHERE d.field = "
              "'hnte_cert' AND d.value = 1 AND NOT EXISTS (SELECT 1 FROM "
              "qualifications q WHERE q.enterprise_id = d.enterprise_id AND "
              "q.kind = 'hnte' AND q.valid_from = d.valid_from AND "
              "q.valid_to = d.valid_to)"),
        0);
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM qualifications q JOIN "
                                 "enterprise_declarations d ON "
                                 "d.enterprise_id = q.enterprise_id AND "
                                 "d.field = 'hnte_cert' AND d.value = 1 AND "
                                 "d.valid_from = q.valid_from WHERE q.status "
                                 "= 'revoked'"),
                     1);
    assert_true(count(t.db, "SELECT COUNT(*) FROM qualifications WHERE "
                            "status IN ('revoked', 'moved_out')") > 1);
    assert_true(count(t.db, "SELECT COUNT(*) FROM qualifications WHERE kind "
                            "= 'sme'") > 50);
    /* One audit entry for the whole run. */
    assert_int_equal(count(t.db, "SELECT COUNT(*) FROM audit_log WHERE "
                                 "action = 'demo.generate'"),
                     1);
    /* The FTS index was kept by the triggers (SQLite's search hook). */
    if (db_search_fts(t.db)) {
        assert_int_equal(count(t.db, "SELECT COUNT(*) FROM enterprise_fts"),
                         1000);
    }

    /* A second run refuses; bad options are refused. */
    memset(&o, 0, sizeof o);
    o.enterprises = 10;
    o.seed = 1;
    actor_init_system(&a);
    assert_int_equal(demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e),
                     ERR_CONFLICT);
    o.enterprises = 0;
    assert_int_equal(demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e),
                     ERR_INVALID);
    o.enterprises = 10;
    o.years = 6;
    assert_int_equal(demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e),
                     ERR_INVALID);
    o.years = 3;
    a.role = ROLE_STAFF;
    assert_int_equal(demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e),
                     ERR_FORBIDDEN);
    tmp_close(&t);
}

/* 包联: six 科技局业务 accounts in the root unit; most enterprises of a
 * 街道 looked after by one staff member, some by a second, a few by
 * nobody; the same for the same seed. */
static void test_liaison(void **state)
{
    TmpDb a, b;
    DemoReport ra, rb;
    const char *by_user =
        "SELECT e.uscc, u.username FROM enterprises e LEFT JOIN users u ON "
        "u.id = e.liaison_user_id ORDER BY e.id";
    int64_t assigned;

    (void)state;
    tmp_open(&a);
    tmp_open(&b);
    run_demo(&a, 2000, 5, &ra);
    run_demo(&b, 2000, 5, &rb);
    assert_int_equal(count(a.db, "SELECT COUNT(*) FROM users u JOIN "
                                 "org_units o ON o.id = u.unit_id WHERE "
                                 "u.username LIKE 'demo.staff%' AND u.role = "
                                 "2 AND o.parent_id IS NULL AND u.disabled = "
                                 "0 AND u.must_change_password = 1"),
                     6);
    /* Every liaison is one of them. */
    assert_int_equal(count(a.db, "SELECT COUNT(*) FROM enterprises e LEFT "
                                 "JOIN users u ON u.id = e.liaison_user_id "
                                 "WHERE e.liaison_user_id IS NOT NULL AND "
                                 "(u.role IS DISTINCT FROM 2 OR u.username "
                                 "NOT LIKE "
                                 "'demo.staff%')"),
                     0);
    assigned = count(a.db, "SELECT COUNT(*) FROM enterprises WHERE "
                           "liaison_user_id IS NOT NULL");
    assert_true(assigned > 2000 * 85 / 100 && assigned < 2000 * 97 / 100);
    /* At most two staff per unit, the first with most of its enterprises. */
    assert_int_equal(count(a.db, "SELECT COUNT(*) FROM (SELECT unit_id FROM "
                                 "enterprises GROUP BY unit_id HAVING "
                                 "COUNT(DISTINCT liaison_user_id) > 2) AS c"),
                     0);
    assert_int_equal(
        count(a.db, "SELECT COUNT(*) FROM (SELECT unit_id, MAX(n) * 100 / "
                    "SUM(n) AS pct FROM (SELECT unit_id, liaison_user_id, "
                    "COUNT(*) AS n FROM enterprises GROUP BY 1, 2) AS a GROUP "
                    "BY unit_id) AS b WHERE pct < 60"),
        0);
    /* Each staff member is the main one for two or three units. */
    assert_int_equal(
        count(a.db, "SELECT COUNT(*) FROM (SELECT liaison_user_id, COUNT(*) "
                    "AS units FROM (SELECT unit_id, liaison_user_id, "
                    "COUNT(*) AS n FROM enterprises WHERE liaison_user_id IS "
                    "NOT NULL GROUP BY 1, 2) x WHERE n = (SELECT MAX(c) FROM "
                    "(SELECT COUNT(*) AS c FROM enterprises y WHERE "
                    "y.unit_id = x.unit_id AND y.liaison_user_id IS NOT "
                    "NULL GROUP BY y.liaison_user_id) AS z) GROUP BY 1) AS w "
                    "WHERE "
                    "units NOT IN (2, 3)"),
        0);
    assert_true(hash_query(a.db, by_user) == hash_query(b.db, by_user));
    /* The derived "valid class-Ⅰ right" column is filled in. */
    assert_int_equal(
        count(a.db,
              "SELECT COUNT(*) FROM enterprises e WHERE e.ip1_until IS "
              "DISTINCT FROM (SELECT MAX(COALESCE(p.expires_on, '9999-12-31')) "
              "FROM ip_rights p WHERE p.enterprise_id = e.id AND "
              "p.klass = 1 AND p.status = 'valid' AND p.retired_at IS "
              "NULL)"),
        0);
    assert_true(count(a.db, "SELECT COUNT(*) FROM enterprises WHERE "
                            "ip1_until IS NOT NULL") > 500);
    tmp_close(&a);
    tmp_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orgcode),
        cmocka_unit_test(test_same_seed_same_data),
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_liaison),
    };

    log_init();
    user_set_hash_cost_for_tests();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
