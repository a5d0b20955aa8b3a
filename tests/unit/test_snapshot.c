/* test_snapshot.c - the columnar snapshot of a demo library: every row
 * materialises to the same rule input as elig_load_input() (same
 * rule_input_hash), also after saving and loading the file; freshness
 * follows the audit log; screening writes one decision per enterprise
 * and rule set with rule_eval()'s verdict, scores and row outcomes; the
 * in-memory re-screen gives the same verdicts; the sandbox, which
 * compares two rule sets on the snapshot, reports exactly the enterprises
 * (in the actor's scope) whose rule_eval() verdict or score range differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/audit.h"
#include "domain/demo/demo.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/decl.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/sandbox.h"
#include "domain/eligibility/snapshot.h"
#include "domain/io/columns.h"
#include "domain/io/import.h"
#include "domain/library/ent.h"
#include "rules/embedded.h"
#include "rules/field.h"
#include "rules/rules.h"

typedef struct TmpDb {
    char dir[64];
    char path[128];
    char snap[160];
    Db *db;
} TmpDb;

static TmpDb t;
static Date as_of;

static int64_t count(Db *db, const char *sql)
{
    int64_t n = -1;
    Err e;
    if (db_query_int64(db, &n, &e, sql, "") != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
    return n;
}

static void exec(Db *db, const char *sql)
{
    Err e;
    if (db_exec(db, sql, &e) != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
}

/* A 400-enterprise demo library with declarations of every kind and one
 * retired enterprise. */
static int setup(void **state)
{
    DemoOptions o;
    DemoReport rep;
    Actor a;
    Err e;
    (void)state;
    snprintf(t.dir, sizeof t.dir, "/tmp/kc_test_snap_XXXXXX");
    assert_non_null(mkdtemp(t.dir));
    snprintf(t.path, sizeof t.path, "%s/t.db", t.dir);
    testdb_use(t.path, sizeof t.path, t.dir);
    snprintf(t.snap, sizeof t.snap, "%s/t.db.snapshot", t.dir);
    assert_int_equal(db_open(&t.db, t.path, &e), 0);
    assert_int_equal(db_migrate(t.db, NULL, &e), 0);
    memset(&o, 0, sizeof o);
    o.enterprises = 400;
    o.seed = 7;
    o.years = 3;
    o.last_year = 2025;
    actor_init_system(&a);
    if (demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    /* declarations: in and out of their period, yearly and scalar, a
     * certificate that implies innovation_honor, an unknown field */
    exec(t.db,
         "INSERT INTO enterprise_declarations (enterprise_id, "
         "field, year, "
         "value, valid_from, valid_to, src_at) VALUES "
         "(3, 'hnte_cert', 0, 1, '2024-01-01', '2026-12-31', '2026-01-01'),"
         "(3, 'conversions', 2025, 4, NULL, NULL, '2026-01-01'),"
         "(3, 'conversions', 2024, 6, NULL, NULL, '2026-01-01'),"
         "(5, 'hnte_cert', 0, 1, '2020-01-01', '2022-12-31', '2026-01-01'),"
         "(5, 'ip1_high', 0, 2, NULL, '2021-01-01', '2026-01-01'),"
         "(7, 'employees', 2025, 999, NULL, NULL, '2026-01-01'),"
         "(7, 'sales_revenue', 2024, 1, '2030-01-01', NULL, '2026-01-01'),"
         "(9, 'hnte_cert', 0, 1, NULL, NULL, '2026-01-01'),"
         "(9, 'innovation_honor', 0, 0, NULL, NULL, '2026-01-01'),"
         "(11, 'no_such_field', 0, 1, NULL, NULL, '2026-01-01'),"
         "(13, 'conversions', 2010, 3, NULL, NULL, '2026-01-01') "
         "ON CONFLICT (enterprise_id, field, year) DO UPDATE SET value = "
         "excluded.value, valid_from = excluded.valid_from, valid_to = "
         "excluded.valid_to, src_at = excluded.src_at");
    /* the qualifications register: 3 declares a 高企 certificate but its
     * registered one was revoked; 15 holds one without declaring it; 9's
     * municipal certificate expired; 17's will only start later */
    exec(t.db,
         "INSERT INTO qualifications (enterprise_id, kind, level, cert_no, "
         "issued_on, valid_from, valid_to, status, ended_on, end_reason, "
         "src_at, created_at, updated_at) VALUES "
         "(3, 'hnte', 'national', 'GR202412009001', '2024-01-01', "
         "'2024-01-01', '2026-12-31', 'revoked', '2025-03-01', '撤销', 'x', "
         "'x', 'x'),"
         "(15, 'hnte', 'national', 'GR202412009002', '2024-06-01', "
         "'2024-06-01', '2027-05-31', 'valid', NULL, NULL, 'x', 'x', 'x'),"
         "(9, 'tj_hnte', 'municipal', NULL, '2020-01-01', '2020-01-01', "
         "'2022-12-31', 'valid', NULL, NULL, 'x', 'x', 'x'),"
         "(17, 'hnte', 'national', 'GR202712009003', '2027-01-01', "
         "'2027-01-01', '2029-12-31', 'valid', NULL, NULL, 'x', 'x', 'x')");
    exec(t.db, "UPDATE enterprises SET retired_at = '2026-01-01T00:00:00Z' "
               "WHERE id = 20");
    assert_int_equal(date_from_ymd(2026, 5, 20, &as_of, NULL, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    char p[200];
    (void)state;
    db_close(t.db);
    snprintf(p, sizeof p, "%s-wal", t.path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", t.path);
    unlink(p);
    testdb_drop(t.path);
    unlink(t.path);
    unlink(t.snap);
    rmdir(t.dir);
    return 0;
}

/* Every row's input hashes like elig_load_input's; returns rows checked. */
static size_t check_hashes(const Snapshot *s)
{
    size_t n = snapshot_rows(s);
    for (size_t r = 0; r < n; r++) {
        int64_t id = snapshot_enterprise_id(s, r);
        RuleInput *a = NULL, *b = snapshot_row_input(s, r);
        char ha[65], hb[65];
        Err e;
        assert_int_equal(elig_load_input(t.db, id, snapshot_as_of(s), &a, &e),
                         0);
        rule_input_hash(a, ha);
        rule_input_hash(b, hb);
        if (strcmp(ha, hb) != 0) {
            fail_msg("enterprise %lld: snapshot input differs", (long long)id);
        }
        snapshot_row_hash(s, r, hb);
        if (strcmp(ha, hb) != 0) {
            fail_msg("enterprise %lld: stored input hash differs",
                     (long long)id);
        }
        rule_input_free(a);
        rule_input_free(b);
    }
    return n;
}

static void test_same_inputs_as_elig(void **state)
{
    Snapshot *s = NULL, *l = NULL;
    Date other;
    Err e;
    (void)state;
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal((int64_t)snapshot_rows(s),
                     count(t.db, "SELECT COUNT(*) FROM enterprises WHERE "
                                 "retired_at IS NULL"));
    assert_int_equal(snapshot_rows(s), 399);
    assert_int_equal(snapshot_find(s, 20), -1);
    assert_int_equal(check_hashes(s), 399);
    /* the file gives the same rows */
    assert_int_equal(snapshot_save(s, t.snap, &e), 0);
    assert_int_equal(snapshot_load(t.snap, &l, &e), 0);
    assert_int_equal(snapshot_rows(l), 399);
    assert_int_equal(check_hashes(l), 399);
    snapshot_free(l);
    snapshot_free(s);
    /* another as-of date moves the windows (IP expiry, facts, years) */
    assert_int_equal(date_from_ymd(2024, 2, 29, &other, NULL, NULL), 0);
    assert_int_equal(snapshot_build(t.db, other, &s, &e), 0);
    assert_int_equal(check_hashes(s), 399);
    snapshot_free(s);
}

/* Does enterprise id's input on as_of equal itself with the scalars
 * set to the given values (so it already holds them)? */
static int input_holds(int64_t id, const char *f1, int64_t v1, const char *f2,
                       int64_t v2)
{
    RuleInput *a = NULL, *b;
    char ha[65], hb[65];
    Err e;

    assert_int_equal(elig_load_input(t.db, id, as_of, &a, &e), 0);
    b = rule_input_clone(a);
    assert_int_equal(rule_input_set(b, rule_field_find(f1), v1, &e), 0);
    if (f2) {
        assert_int_equal(rule_input_set(b, rule_field_find(f2), v2, &e), 0);
    }
    rule_input_hash(a, ha);
    rule_input_hash(b, hb);
    rule_input_free(a);
    rule_input_free(b);
    return strcmp(ha, hb) == 0;
}

/* The register wins over declared certificates on both paths (the
 * hashes of check_hashes compare the batch path to this one). */
static void test_register_inputs(void **state)
{
    Snapshot *s = NULL;
    Err e;
    (void)state;
    /* 3: declared, registered one revoked -> 0, and no derived honour */
    assert_true(input_holds(3, "hnte_cert", 0, NULL, 0));
    assert_false(input_holds(3, "hnte_cert", 1, NULL, 0));
    /* 15: registered, valid -> 1 and the 创新型 honour */
    assert_true(input_holds(15, "hnte_cert", 1, "innovation_honor", 1));
    /* 9: declared 高企 stays (no hnte rows), municipal one expired -> 0 */
    assert_true(input_holds(9, "hnte_cert", 1, "tj_hnte_cert", 0));
    /* 17: the register has a row, not yet valid -> 0 */
    assert_true(input_holds(17, "hnte_cert", 0, NULL, 0));
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal(check_hashes(s), 399);
    snapshot_free(s);
}

/* The industry catalogue derives prohibited_industry = 1 on both paths,
 * over a declared 否; no match derives nothing (catalogue.h). */
static void test_catalogue_inputs(void **state)
{
    Snapshot *s = NULL;
    int64_t a, b;
    Err e;
    (void)state;
    /* a: declared 否, with an industry code; b: nothing declared, another
     * 大类 */
    a = count(t.db, "SELECT MIN(e.id) FROM enterprises e JOIN "
                    "enterprise_declarations d ON d.enterprise_id = e.id AND "
                    "d.field = 'prohibited_industry' AND d.value = 0 WHERE "
                    "e.retired_at IS NULL AND e.industry_code IS NOT NULL");
    assert_true(a > 0);
    exec(t.db, "INSERT INTO industry_catalogue (code, class, item, source, "
               "doc_no, unverified, created_at, updated_at) SELECT "
               "substr(industry_code, 1, 3), 'restricted', '测试条目', "
               "'测试来源', NULL, 1, '2026-01-01', '2026-01-01' FROM "
               "enterprises WHERE id = (SELECT MIN(e.id) FROM enterprises e "
               "JOIN enterprise_declarations d ON d.enterprise_id = e.id AND "
               "d.field = 'prohibited_industry' AND d.value = 0 WHERE "
               "e.retired_at IS NULL AND e.industry_code IS NOT NULL)");
    b = count(t.db, "SELECT COALESCE(MIN(e.id), 0) FROM enterprises e WHERE "
                    "e.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
                    "enterprise_declarations d WHERE d.enterprise_id = e.id "
                    "AND d.field = 'prohibited_industry') AND NOT EXISTS "
                    "(SELECT 1 FROM industry_catalogue c WHERE "
                    "substr(COALESCE(e.industry_code, ''), 1, length(c.code)) "
                    "= c.code)");
    assert_true(input_holds(a, "prohibited_industry", 1, NULL, 0));
    if (b > 0) {
        assert_false(input_holds(b, "prohibited_industry", 0, NULL, 0));
        assert_false(input_holds(b, "prohibited_industry", 1, NULL, 0));
    }
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal(check_hashes(s), 399);
    snapshot_free(s);
    exec(t.db, "DELETE FROM industry_catalogue");
    assert_true(input_holds(a, "prohibited_industry", 0, NULL, 0));
}

static void test_freshness(void **state)
{
    Snapshot *s = NULL, *g = NULL;
    SnapshotInfo info;
    Actor a;
    int fresh = 0;
    Err e;
    (void)state;
    actor_init_system(&a);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &s, &e), 0);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 1);
    /* a login changes no rule input: the saved file is used */
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(audit_record(t.db, &a, "session.login", "session", 1, "/",
                                  NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 1);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.from_file, 1);
    snapshot_free(g);
    /* nor do a policy application, a unit move or a cultivation step
     * (their modules write no table the snapshot reads); an edit of a
     * platform (an R&D institution of its host) does */
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(audit_record(t.db, &a, "policy_app.create",
                                  "policy_application", 1, "/", NULL, NULL, &e),
                     0);
    assert_int_equal(
        audit_record(t.db, &a, "org.move", "org_unit", 2, "/", NULL, NULL, &e),
        0);
    assert_int_equal(audit_record(t.db, &a, "pipeline.approve",
                                  "pipeline_entry", 1, "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 1);
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(audit_record(t.db, &a, "platform.update", "platform", 1,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 0);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.from_file, 0);
    assert_int_equal(info.incremental, 0); /* names no enterprise */
    snapshot_free(g);
    snapshot_free(s);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &s, &e), 0);
    /* an enterprise update does: not read from the file (updated) */
    assert_int_equal(db_begin(t.db, &e), 0);
    exec(t.db, "UPDATE enterprise_years SET employees = 12 WHERE "
               "enterprise_id = 4 AND year = 2025");
    assert_int_equal(audit_record(t.db, &a, "ent_year.upsert", "enterprise", 4,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 0);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.incremental, 1);
    assert_int_equal(info.in_place, 1); /* the file's rows, patched */
    {
        RuleInput *in = snapshot_row_input(g, (size_t)snapshot_find(g, 4));
        assert_non_null(in);
        rule_input_free(in);
    }
    assert_int_equal(check_hashes(g), 399);
    snapshot_free(g);
    snapshot_free(s);
}

static int64_t at64(const int64_t *c, size_t r)
{
    return c ? c[r] : 0;
}

/* Scalar field f at row r, from its int64 or one-byte column. */
static int64_t sat(const BatchInput *x, int f, size_t r)
{
    return x->sv8[f] ? x->sv8[f][r] : at64(x->sv[f], r);
}

static int at8(const uint8_t *c, size_t r)
{
    return c ? c[r] : 0;
}

/* a and b hold the same rows: ids, units, input hashes, conflict counts
 * and every value, presence and bound (an absent column reads as zeros,
 * as the batch evaluator reads it). */
static void assert_same_rows(const Snapshot *a, const Snapshot *b)
{
    const BatchInput *x = snapshot_input(a), *y = snapshot_input(b);
    size_t n = snapshot_rows(a);

    assert_int_equal(snapshot_rows(b), n);
    for (size_t r = 0; r < n; r++) {
        char ha[65], hb[65];
        int64_t id = snapshot_enterprise_id(a, r);

        assert_int_equal(snapshot_enterprise_id(b, r), id);
        assert_int_equal(snapshot_unit_id(a, r), snapshot_unit_id(b, r));
        snapshot_row_hash(a, r, ha);
        snapshot_row_hash(b, r, hb);
        if (strcmp(ha, hb) != 0) {
            fail_msg("enterprise %lld: hashes differ", (long long)id);
        }
        assert_int_equal(at8(x->n_conflicts, r), at8(y->n_conflicts, r));
        for (int f = 0; f < RULE_N_YEARLY; f++) {
            for (int k = 0; k < RULE_YEARS; k++) {
                if (at64(x->yv[f][k], r) != at64(y->yv[f][k], r) ||
                    at8(x->yhas[f][k], r) != at8(y->yhas[f][k], r)) {
                    fail_msg("enterprise %lld: yearly field %d slot %d",
                             (long long)id, f, k);
                }
            }
        }
        for (int f = 0; f < RULE_MAX_FIELDS; f++) {
            if (sat(x, f, r) != sat(y, f, r) ||
                at8(x->shas[f], r) != at8(y->shas[f], r) ||
                at64(x->shi[f], r) != at64(y->shi[f], r)) {
                fail_msg("enterprise %lld: field %d", (long long)id, f);
            }
        }
    }
}

/* A file whose kept raw rows name a row out of range loads (its own
 * date's columns are usable: the raw rows are checked only when first
 * read, so a screening of the file's date keeps none of their pages
 * resident), refuses a move to another date (leaving the snapshot as it
 * was), and snapshot_get() rebuilds it instead. The first IP row of the
 * file (format KCSNAP08: a 2008-byte header, ids and units of 8 bytes,
 * 24-byte records) is made to name row n + 7. */
static void test_damaged_raw_rows(void **state)
{
    Snapshot *s = NULL, *l = NULL, *g = NULL, *f = NULL;
    SnapshotInfo info;
    char bad[200];
    size_t n, rec;
    int32_t row;
    FILE *fp;
    Err e;
    (void)state;
    snprintf(bad, sizeof bad, "%s.bad", t.snap);
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal(snapshot_save(s, bad, &e), 0);
    n = snapshot_rows(s);
    rec = 24 * n + (8 - 24 * n % 8) % 8;
    fp = fopen(bad, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, (long)(2008 + 16 * n + rec), SEEK_SET), 0);
    assert_int_equal(fread(&row, sizeof row, 1, fp), 1);
    assert_true(row >= 0 && (size_t)row < n); /* it is an IP row */
    row = (int32_t)n + 7;
    assert_int_equal(fseek(fp, (long)(2008 + 16 * n + rec), SEEK_SET), 0);
    assert_int_equal(fwrite(&row, sizeof row, 1, fp), 1);
    assert_int_equal(fclose(fp), 0);

    assert_int_equal(snapshot_load(bad, &l, &e), 0);
    assert_int_equal(snapshot_rows(l), n);
    assert_same_rows(l, s);
    assert_int_equal(snapshot_set_date(l, as_of + 1, &e), ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(snapshot_as_of(l), as_of);
    assert_same_rows(l, s);
    snapshot_free(l);
    /* another date: built anew (and saved over the damaged file) */
    assert_int_equal(snapshot_get(t.db, bad, as_of + 1, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.from_file, 0);
    assert_int_equal(info.redated, 0);
    assert_int_equal(snapshot_build(t.db, as_of + 1, &f, &e), 0);
    assert_same_rows(g, f);
    snapshot_free(f);
    snapshot_free(g);
    snapshot_free(s);
    unlink(bad);
}

static RuleSet *load(const char *id);

/* The next screening's snapshot: updated from the file, not rebuilt,
 * re-reading at most max_touched enterprises, and equal to a full build
 * row for row, hash for hash and verdict for verdict; saved, so that
 * the one after reads the file. The input of enterprise changed (0:
 * none) differs from the saved file's. */
static int last_in_place; /* the last expect_incremental's update */

static void expect_incremental(int64_t max_touched, int64_t changed)
{
    Snapshot *g = NULL, *f = NULL, *l = NULL;
    SnapshotInfo info;
    RuleSet *rs = load("sme-2017");
    BatchOut og, of;
    char before[65] = "", after[65];
    size_t n;
    Err e;

    if (changed) {
        assert_int_equal(snapshot_load(t.snap, &l, &e), 0);
        assert_true(snapshot_find(l, changed) >= 0);
        snapshot_row_hash(l, (size_t)snapshot_find(l, changed), before);
        snapshot_free(l);
        l = NULL;
    }
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    if (changed) {
        assert_true(snapshot_find(g, changed) >= 0);
        snapshot_row_hash(g, (size_t)snapshot_find(g, changed), after);
        assert_string_not_equal(before, after);
    }
    snapshot_info(g, &info);
    /* updated in place, the loaded file is the snapshot; else a merge */
    assert_int_equal(info.from_file, info.in_place);
    assert_int_equal(info.incremental, 1);
    assert_true(info.touched >= 1 && info.touched <= max_touched);
    last_in_place = info.in_place;
    assert_int_equal(snapshot_build(t.db, as_of, &f, &e), 0);
    assert_same_rows(g, f);
    assert_int_equal(check_hashes(g), snapshot_rows(f));
    n = snapshot_rows(f);
    memset(&og, 0, sizeof og);
    memset(&of, 0, sizeof of);
    og.verdict = xcalloc(n + 1, 1);
    of.verdict = xcalloc(n + 1, 1);
    assert_int_equal(snapshot_rescreen(g, rs, &og, &e), 0);
    assert_int_equal(snapshot_rescreen(f, rs, &of, &e), 0);
    assert_memory_equal(og.verdict, of.verdict, n);
    free(og.verdict);
    free(of.verdict);
    rule_set_free(rs);
    /* the update was saved: the next screening reads it */
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &l, &e), 0);
    snapshot_info(l, &info);
    assert_int_equal(info.from_file, 1);
    assert_same_rows(l, f);
    snapshot_free(l);
    snapshot_free(f);
    snapshot_free(g);
}

static void csv_file(const char *name, const char *text, char *path, size_t cap)
{
    FILE *fp;

    snprintf(path, cap, "%s/%s", t.dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void import_csv(const char *kind, const char *path)
{
    ImportOpts o;
    ImportReport rep;
    Actor a;
    Err e;

    actor_init_system(&a);
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.mode = IMPORT_MODE_ALL;
    import_report_init(&rep, columns_kind_find(kind));
    if (import_file(t.db, &a, columns_kind_find(kind), path, &o, &rep, &e) !=
        0) {
        char *m = rep.n_errors ? import_error_text(&rep, 0) : NULL;
        fail_msg("import %s: %s %s", kind, e.msg, m ? m : "");
    }
    import_report_free(&rep);
}

/* The first enterprise in the library from id on. */
static int64_t live_id(int64_t from)
{
    char sql[256];

    snprintf(sql, sizeof sql,
             "SELECT MIN(e.id) FROM enterprises e JOIN org_units o ON o.id = "
             "e.unit_id WHERE e.retired_at IS NULL AND e.id >= %lld",
             (long long)from);
    return count(t.db, sql);
}

static char *uscc_of(int64_t id)
{
    char *u = NULL;
    Err e;

    assert_int_equal(db_query_text(t.db, &u, &e,
                                   "SELECT uscc FROM enterprises WHERE id = $1",
                                   "i", id),
                     0);
    return u;
}

/* An edit, an import, a declaration, a retirement (and restoring), new
 * enterprises and a write by another connection are each seen by the
 * next screening through an incremental update equal to a full build;
 * a change that names no enterprise rebuilds. */
static void test_incremental(void **state)
{
    Snapshot *g = NULL;
    SnapshotInfo info;
    char path[200], text[1024], code[USCC_LEN + 1];
    char *u1, *u2, *u3;
    int64_t ed = live_id(30), i1 = live_id(41), i3 = live_id(260);
    int64_t i2 = live_id(i1 + 1), dc = live_id(50), rt = live_id(60);
    int64_t ot = live_id(70);
    json_t *items;
    Actor a;
    Db *other = NULL;
    Err e;
    (void)state;
    actor_init_system(&a);
    /* a saved snapshot in step */
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_free(g);

    /* an edit of one enterprise's figures */
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(
        db_exec_v(t.db, &e,
                  "INSERT INTO enterprise_years (enterprise_id, year, "
                  "employees, rd_expense, src_at, created_at, updated_at) "
                  "VALUES ($1, 2025, 77, 5, 'x', 'x', 'x') ON CONFLICT "
                  "(enterprise_id, year) DO UPDATE SET employees = 77, "
                  "rd_expense = 5",
                  "i", ed),
        0);
    assert_int_equal(audit_record(t.db, &a, "ent_year.upsert", "enterprise", ed,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    {
        struct stat st0, st1;

        assert_int_equal(stat(t.snap, &st0), 0);
        expect_incremental(1, ed);
        /* the figures fit the row's slots: the file was updated in
         * place (the same file, its mark moved), not saved whole */
        assert_int_equal(last_in_place, 1);
        assert_int_equal(stat(t.snap, &st1), 0);
        assert_true(st0.st_ino == st1.st_ino);
    }

    /* a process stopped inside an in-place update, after writing the
     * rows and before their mark: the file's rows are newer than its
     * mark, which the next screening sees as stale and re-reads */
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(db_exec_v(t.db, &e,
                               "UPDATE enterprise_years SET employees = 78 "
                               "WHERE enterprise_id = $1 AND year = 2025",
                               "i", ed),
                     0);
    assert_int_equal(audit_record(t.db, &a, "ent_year.upsert", "enterprise", ed,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    snapshot_test_stop_in_place = 1;
    assert_int_not_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_test_stop_in_place = 0;
    assert_null(g);
    {
        Snapshot *l = NULL;
        int fresh = 1;

        assert_int_equal(snapshot_load(t.snap, &l, &e), 0);
        assert_int_equal(snapshot_fresh(t.db, l, &fresh, &e), 0);
        assert_int_equal(fresh, 0); /* the mark was not moved */
        snapshot_free(l);
    }
    expect_incremental(1, 0);
    assert_int_equal(last_in_place, 1);

    /* an edit of one of its IP rights: the raw element rewritten in its
     * slot in the file */
    {
        int64_t ipe = count(t.db, "SELECT MIN(enterprise_id) FROM ip_rights "
                                  "WHERE retired_at IS NULL AND status = "
                                  "'valid' AND enterprise_id > 100");
        assert_true(ipe > 0);
        assert_int_equal(db_begin(t.db, &e), 0);
        assert_int_equal(db_exec_v(t.db, &e,
                                   "UPDATE ip_rights SET status = 'invalid' "
                                   "WHERE id = (SELECT MIN(id) FROM "
                                   "ip_rights WHERE enterprise_id = $1 AND "
                                   "retired_at IS NULL AND status = 'valid')",
                                   "i", ipe),
                         0);
        assert_int_equal(audit_record(t.db, &a, "ip.update", "enterprise", ipe,
                                      "/", NULL, NULL, &e),
                         0);
        assert_int_equal(db_commit(t.db, &e), 0);
        expect_incremental(1, ipe);
        assert_int_equal(last_in_place, 1);
    }

    /* an import of figures for three enterprises (the audit entry lists
     * them) */
    u1 = uscc_of(i1);
    u2 = uscc_of(i2);
    u3 = uscc_of(i3);
    snprintf(text, sizeof text,
             "统一社会信用代码,年度,销售收入（万元）,研发费用（万元）\n"
             "%s,2025,91234,56\n%s,2024,99000,1\n%s,2025,95000,700\n",
             u1, u2, u3);
    free(u1);
    free(u2);
    free(u3);
    csv_file("fig.csv", text, path, sizeof path);
    import_csv("figures", path);
    {
        char *r = NULL;
        assert_int_equal(
            db_query_text(t.db, &r, &e,
                          "SELECT after_json FROM audit_log WHERE id = "
                          "(SELECT MAX(id) FROM audit_log WHERE action = "
                          "'import.apply')",
                          ""),
            0);
        json_t *j = json_loads(r, 0, NULL);
        char want[64];
        snprintf(want, sizeof want,
                 i2 == i1 + 1 ? "%lld-%lld,%lld" : "%lld,%lld,%lld",
                 (long long)i1, (long long)i2, (long long)i3);
        assert_string_equal(
            json_string_value(json_object_get(j, "enterprise_ranges")), want);
        json_decref(j);
        free(r);
    }
    expect_incremental(3, i3);

    /* a declaration */
    items = json_pack("[{sssisi}]", "field", "conversions", "year", 2025,
                      "value", 9);
    assert_non_null(items);
    if (decl_put(t.db, &a, dc, items, &e) != 0) {
        fail_msg("decl_put: %s", e.msg);
    }
    json_decref(items);
    expect_incremental(1, dc);

    /* a retirement drops the row, restoring brings it back */
    if (ent_retire(t.db, &a, rt, "测试注销", &e) != 0) {
        fail_msg("ent_retire: %s", e.msg);
    }
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    assert_int_equal(snapshot_find(g, rt), -1);
    snapshot_info(g, &info);
    assert_int_equal(info.incremental, 1);
    snapshot_free(g);
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(db_exec_v(t.db, &e,
                               "UPDATE enterprises SET retired_at = NULL "
                               "WHERE id = $1",
                               "i", rt),
                     0);
    assert_int_equal(audit_record(t.db, &a, "ent.restore", "enterprise", rt,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    expect_incremental(1, 0);

    /* new enterprises by import: found above the highest id built */
    code[0] = '\0';
    apitest_uscc(4242, code);
    snprintf(text, sizeof text,
             "统一社会信用代码,企业名称,注册资本（万元）\n%s,快照新企业,10\n",
             code);
    csv_file("ent.csv", text, path, sizeof path);
    import_csv("enterprises", path);
    expect_incremental(1, 0);

    /* a write by another connection (another process: the server or a
     * command-line import), committed with its audit entry but never
     * followed by a snapshot update (as if that process stopped right
     * after its commit): the next screening still sees it */
    assert_int_equal(db_open(&other, t.path, &e), 0);
    assert_int_equal(db_begin(other, &e), 0);
    assert_int_equal(db_exec_v(other, &e,
                               "UPDATE enterprises SET established_on = "
                               "'2025-06-01' WHERE id = $1",
                               "i", ot),
                     0);
    assert_int_equal(audit_record(other, &a, "ent.update", "enterprise", ot,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(other, &e), 0);
    db_close(other);
    expect_incremental(1, ot);

    /* a change that names no enterprise (the industry catalogue) is
     * rebuilt whole */
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(audit_record(t.db, &a, "catalogue.import",
                                  "industry_catalogue", 0, "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    assert_int_equal(snapshot_get(t.db, t.snap, as_of, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.from_file, 0);
    assert_int_equal(info.incremental, 0);
    assert_int_equal(check_hashes(g), snapshot_rows(g));
    snapshot_free(g);
}

static RuleSet *load(const char *id)
{
    for (int i = 0; i < kc_n_rule_files; i++) {
        RuleSet *rs = NULL;
        Err e;
        assert_int_equal(rule_set_parse(kc_rule_files[i].path,
                                        *kc_rule_files[i].data,
                                        *kc_rule_files[i].len, &rs, &e),
                         0);
        if (strcmp(rule_set_id(rs), id) == 0) {
            return rs;
        }
        rule_set_free(rs);
    }
    fail_msg("no rule set %s", id);
    return NULL;
}

static char outcome_char(int o)
{
    static const char c[] = "?YNUEMXI";
    return o >= 1 && o <= 7 ? c[o] : '?';
}

/* Stored decisions equal rule_eval on elig_load_input, enterprise by
 * enterprise. */
static void test_screen_decisions(void **state)
{
    const char *ids[] = {"sme-2017", "hnte-2016", "zjtx-2022"};
    const RuleSet *sets[3];
    RuleSet *own[3];
    int64_t counts[3][8];
    Snapshot *s = NULL;
    Actor a;
    Err e;
    (void)state;
    actor_init_system(&a);
    for (int k = 0; k < 3; k++) {
        sets[k] = own[k] = load(ids[k]);
    }
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(snapshot_screen(t.db, s, &a, sets, 3, 0, NULL, counts, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    /* a second screening goes through the in-place update path and drops
     * the decision of an enterprise retired in between */
    exec(t.db, "UPDATE enterprises SET retired_at = '2026-02-01T00:00:00Z' "
               "WHERE id = 30");
    exec(t.db, "UPDATE enterprise_years SET employees = 100000 WHERE "
               "enterprise_id = 8 AND year = 2025");
    snapshot_free(s);
    sleep(1);
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    assert_int_equal(db_begin(t.db, &e), 0);
    if (snapshot_screen(t.db, s, &a, sets, 3, 0, NULL, counts, &e))
        fail_msg("%s", e.msg);
    assert_int_equal(db_commit(t.db, &e), 0);
    /* only what changed was written: enterprise 8 got a new decision (a
     * new run), the unchanged ones kept theirs */
    {
        DecCols *c = NULL;
        int64_t first = -1, last = -1;
        size_t n_last = 0, at = 0;
        assert_int_equal(dec_cols_load(t.db, "sme-2017", DEC_ALL, &c, &e), 0);
        for (size_t r = 0; r < c->n; r++) {
            first = first < 0 || c->run[r] < first ? c->run[r] : first;
            last = c->run[r] > last ? c->run[r] : last;
        }
        assert_true(first < last);
        for (size_t r = 0; r < c->n; r++) {
            assert_true(c->run[r] == first || c->run[r] == last);
            if (c->run[r] == last) {
                n_last++;
                at = r;
            }
        }
        assert_int_equal(n_last, 1);
        assert_int_equal(c->id[at], 8);
        dec_cols_free(c);
        assert_int_equal(count(t.db, "SELECT COUNT(*) FROM decision_runs "
                                     "WHERE ruleset = 'sme-2017'"),
                         2);
    }
    for (int k = 0; k < 3; k++) {
        DecCols *c = NULL;
        int64_t sum = 0;
        int verdicts = 0;
        for (int v = 0; v < 8; v++) {
            sum += counts[k][v];
            verdicts += counts[k][v] > 0;
        }
        assert_int_equal(sum, 398);
        assert_int_equal(dec_cols_load(t.db, ids[k], DEC_ALL, &c, &e), 0);
        assert_int_equal(c->n, 398);
        for (size_t w = 0; w < c->n; w++) {
            RuleInput *in = NULL;
            RuleResult *r = NULL;
            int64_t lo, hi;
            int has, unmet = 0, unknown = 0;
            const char *oc = c->odict[c->oidx[w]];
            char hx[65], mine[65];
            assert_true(c->id[w] != 30);
            assert_int_equal(elig_load_input(t.db, c->id[w], as_of, &in, &e),
                             0);
            assert_int_equal(rule_eval(sets[k], in, &r, &e), 0);
            assert_int_equal(c->verdict[w], rule_result_verdict(r));
            has = rule_result_total(r, &lo, &hi);
            if (has && rule_result_verdict(r) != RULE_V_CONFLICT) {
                assert_true(c->has_score[w]);
                assert_int_equal(c->score_lo[w], lo);
                assert_int_equal(c->score_hi[w], hi);
            } else {
                assert_false(c->has_score[w]);
            }
            assert_int_equal((int)strlen(oc), rule_result_n_rows(r));
            for (int i = 0; i < rule_result_n_rows(r); i++) {
                RuleRow row;
                rule_result_row(r, i, &row);
                assert_int_equal(oc[i], outcome_char(row.outcome));
                /* counts are of top-level criteria */
                unmet += row.depth == 0 && row.outcome == RULE_V_UNMET;
                unknown += row.depth == 0 && row.outcome == RULE_V_UNKNOWN;
            }
            assert_int_equal(c->unmet[w], unmet);
            assert_int_equal(c->unknown[w], unknown);
            rule_input_hash(in, hx);
            for (size_t b = 0; b < 32; b++) {
                snprintf(mine + 2 * b, 3, "%02x", c->hash[w * 32 + b]);
            }
            assert_string_equal(mine, hx);
            rule_result_free(r);
            rule_input_free(in);
        }
        dec_cols_free(c);
        assert_true(verdicts >= 2); /* the demo spreads verdicts */
    }
    /* the sandbox path: same verdicts in memory */
    {
        size_t n = snapshot_rows(s);
        BatchOut o;
        DecCols *c = NULL;
        memset(&o, 0, sizeof o);
        o.verdict = xcalloc(n, 1);
        assert_int_equal(snapshot_rescreen(s, sets[1], &o, &e), 0);
        assert_int_equal(dec_cols_load(t.db, "hnte-2016", DEC_LIST, &c, &e), 0);
        assert_int_equal(c->n, n);
        for (size_t r = 0; r < n; r++) {
            assert_int_equal(c->id[r], snapshot_enterprise_id(s, r));
            assert_int_equal(o.verdict[r], c->verdict[r]);
        }
        dec_cols_free(c);
        free(o.verdict);
    }
    snapshot_free(s);
    for (int k = 0; k < 3; k++) {
        rule_set_free(own[k]);
    }
}

/* Changes reported by sandbox_compare, in enterprise order. */
typedef struct Seen {
    SandboxChange v[512];
    int n;
} Seen;

static void seen_add(void *ud, const SandboxChange *c)
{
    Seen *x = ud;
    assert_true(x->n < 512);
    x->v[x->n++] = *c;
}

/* sandbox_compare(draft, current) in scope against rule_eval() of both
 * on elig_load_input() for every enterprise of the library. */
static void sandbox_check(const Actor *a, const RuleSet *draft,
                          const RuleSet *current, int64_t *changed)
{
    Seen seen;
    json_t *res = NULL;
    DbStmt *st = NULL;
    int64_t evaluated = 0, n_changed = 0, n_score = 0;
    int rc, k = 0;
    Err e;

    memset(&seen, 0, sizeof seen);
    assert_int_equal(sandbox_compare(t.db, a, draft, current, as_of, NULL,
                                     seen_add, &seen, &res, &e),
                     0);
    assert_int_equal(db_prepare_v(t.db, &st, &e,
                                  "SELECT e.id, e.unit_id FROM enterprises e "
                                  "JOIN org_units o ON o.id = e.unit_id "
                                  "WHERE e.retired_at IS NULL AND "
                                  "substr(o.path, 1, length($1)) = $1 "
                                  "ORDER BY e.id",
                                  "t", a->unit_path),
                     0);
    while ((rc = db_step(st, &e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0), blo = 0, bhi = 0, alo = 0, ahi = 0;
        RuleInput *in = NULL;
        RuleResult *rb = NULL, *ra = NULL;
        int vb, va, hb, ha, diff;
        assert_int_equal(elig_load_input(t.db, id, as_of, &in, &e), 0);
        assert_int_equal(rule_eval(current, in, &rb, &e), 0);
        assert_int_equal(rule_eval(draft, in, &ra, &e), 0);
        vb = rule_result_verdict(rb);
        va = rule_result_verdict(ra);
        hb = rule_result_total(rb, &blo, &bhi);
        ha = rule_result_total(ra, &alo, &ahi);
        diff = vb != va || hb != ha || (hb && (blo != alo || bhi != ahi));
        evaluated++;
        n_changed += vb != va;
        n_score += vb == va && diff;
        if (diff) {
            const SandboxChange *c = k < seen.n ? &seen.v[k] : NULL;
            if (!c || c->enterprise_id != id) {
                fail_msg("enterprise %lld changes but is not reported",
                         (long long)id);
            }
            assert_int_equal(c->unit_id, db_col_int64(st, 1));
            assert_int_equal(c->verdict_before, vb);
            assert_int_equal(c->verdict_after, va);
            assert_int_equal(c->has_before, hb);
            assert_int_equal(c->has_after, ha);
            if (hb) {
                assert_int_equal(c->before_lo, blo);
                assert_int_equal(c->before_hi, bhi);
            }
            if (ha) {
                assert_int_equal(c->after_lo, alo);
                assert_int_equal(c->after_hi, ahi);
            }
            k++;
        }
        rule_result_free(rb);
        rule_result_free(ra);
        rule_input_free(in);
    }
    assert_int_equal(rc, DB_DONE);
    db_finalize(st);
    assert_int_equal(k, seen.n); /* nothing reported that did not change */
    assert_int_equal(json_integer_value(json_object_get(res, "evaluated")),
                     evaluated);
    assert_int_equal(json_integer_value(json_object_get(res, "changed")),
                     n_changed);
    assert_int_equal(json_integer_value(json_object_get(res, "score_changed")),
                     n_score);
    json_decref(res);
    *changed = n_changed + n_score;
}

/* A draft: the rule set id's text with from replaced by to (once). */
static RuleSet *edited(const char *id, const char *from, const char *to)
{
    for (int i = 0; i < kc_n_rule_files; i++) {
        const char *src = *kc_rule_files[i].data, *at;
        char *text;
        RuleSet *rs = NULL;
        Err e;
        size_t n = *kc_rule_files[i].len, pre;
        if (!strstr(kc_rule_files[i].path, id)) {
            continue;
        }
        at = strstr(src, from);
        assert_non_null(at);
        pre = (size_t)(at - src);
        text = xmalloc(n + strlen(to) + 1);
        memcpy(text, src, pre);
        memcpy(text + pre, to, strlen(to));
        memcpy(text + pre + strlen(to), at + strlen(from),
               n - pre - strlen(from));
        text[n - strlen(from) + strlen(to)] = '\0';
        if (rule_set_parse("draft", text, strlen(text), &rs, &e) != 0) {
            fail_msg("draft of %s: %s", id, e.msg);
        }
        free(text);
        return rs;
    }
    fail_msg("no rule file %s", id);
    return NULL;
}

static void test_sandbox(void **state)
{
    RuleSet *sme17 = load("sme-2017"), *sme22 = load("sme-2022");
    RuleSet *hnte = load("hnte-2016");
    RuleSet *d_sme =
        edited("sme-2017", "total_score >= 60", "total_score >= 50");
    RuleSet *d_hnte =
        edited("hnte-2016", "[35%, ..) => 9..10; [25%, 35%) => 7..8",
               "[30%, ..) => 9..10; [25%, 30%) => 7..8");
    Actor a, unit;
    int64_t n = 0, unit_id = 0;
    char *path = NULL;
    Err e;
    (void)state;
    /* the earlier tests changed rows with plain SQL (no audit entry), so
     * the saved snapshot cannot know it is stale */
    unlink(t.snap);
    actor_init_system(&a);
    sandbox_check(&a, d_sme, sme17, &n);
    assert_true(n > 0);
    sandbox_check(&a, sme22, sme17, &n);
    assert_true(n > 0);
    sandbox_check(&a, d_hnte, hnte, &n);
    assert_true(n > 0);
    sandbox_check(&a, hnte, hnte, &n);
    assert_int_equal(n, 0);
    /* an actor scoped to the unit with the most enterprises */
    assert_int_equal(db_query_int64(t.db, &unit_id, &e,
                                    "SELECT unit_id FROM enterprises GROUP BY "
                                    "unit_id ORDER BY COUNT(*) DESC LIMIT 1",
                                    ""),
                     0);
    assert_int_equal(db_query_text(t.db, &path, &e,
                                   "SELECT path FROM org_units WHERE id = $1",
                                   "i", unit_id),
                     0);
    unit = a;
    snprintf(unit.unit_path, sizeof unit.unit_path, "%s", path);
    free(path);
    sandbox_check(&unit, d_sme, sme17, &n);
    rule_set_free(sme17);
    rule_set_free(sme22);
    rule_set_free(hnte);
    rule_set_free(d_sme);
    rule_set_free(d_hnte);
}

/* n log-ins' audit entries (harmless), one transaction. */
static void log_ins(int n)
{
    Actor a;
    Err e;

    actor_init_system(&a);
    assert_int_equal(db_begin(t.db, &e), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(audit_record(t.db, &a, "session.login", "session",
                                      i + 1, "/", NULL, NULL, &e),
                         0);
    }
    assert_int_equal(db_commit(t.db, &e), 0);
}

/* snapshot_fresh_since() reads only the entries after the id already
 * checked, stops at the first that counts and reports how far it found
 * them harmless; an entry that counts after many harmless ones is seen. */
static void test_fresh_since(void **state)
{
    Snapshot *s = NULL;
    SnapshotInfo info;
    Actor a;
    int64_t mark, to = -1, to2 = -1, r0;
    int fresh = 0;
    Err e;
    (void)state;
    actor_init_system(&a);
    assert_int_equal(snapshot_build(t.db, as_of, &s, &e), 0);
    snapshot_info(s, &info);
    mark = info.audit_mark;
    log_ins(300);
    r0 = snapshot_test_fresh_rows;
    assert_int_equal(snapshot_fresh_since(t.db, s, 0, &fresh, &to, &e), 0);
    assert_int_equal(fresh, 1);
    assert_int_equal(to, mark + 300);
    assert_int_equal(snapshot_test_fresh_rows - r0, 300);
    /* from there: nothing to read */
    r0 = snapshot_test_fresh_rows;
    assert_int_equal(snapshot_fresh_since(t.db, s, to, &fresh, &to2, &e), 0);
    assert_int_equal(fresh, 1);
    assert_int_equal(to2, to);
    assert_int_equal(snapshot_test_fresh_rows - r0, 0);
    /* an edit of a platform, then more log-ins: stale, found at once */
    log_ins(2);
    assert_int_equal(db_begin(t.db, &e), 0);
    assert_int_equal(audit_record(t.db, &a, "platform.update", "platform", 1,
                                  "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(t.db, &e), 0);
    log_ins(400);
    r0 = snapshot_test_fresh_rows;
    assert_int_equal(snapshot_fresh_since(t.db, s, to, &fresh, &to2, &e), 0);
    assert_int_equal(fresh, 0);
    assert_int_equal(to2, mark + 302);
    assert_int_equal(snapshot_test_fresh_rows - r0, 3);
    assert_int_equal(snapshot_fresh(t.db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 0);
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_inputs_as_elig),
        cmocka_unit_test(test_register_inputs),
        cmocka_unit_test(test_catalogue_inputs),
        cmocka_unit_test(test_freshness),
        cmocka_unit_test(test_screen_decisions),
        cmocka_unit_test(test_sandbox),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_damaged_raw_rows),
        cmocka_unit_test(test_fresh_since),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
