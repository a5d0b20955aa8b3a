/* test_snapshot_dates.c - one snapshot serves every as-of date: a
 * snapshot built (and saved) at one date and moved to a past or a future
 * date with snapshot_set_date() equals a fresh build at that date, column
 * for column, input hash for input hash and verdict for verdict
 * (sme-2017, hnte-2016), and every input hash equals elig_load_input()'s
 * at that date, on a generated library of 1 000 enterprises
 * with declarations and register rows in and out of their periods; and
 * snapshot_get() moves yesterday's saved file to today without a
 * rebuild; the next day, every row whose dated inputs flipped overnight
 * (IP, facts, register, declarations) gets a new input hash although the
 * others' content digests are kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/demo/demo.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/snapshot.h"
#include "rules/embedded.h"
#include "rules/rules.h"

typedef struct TmpDb {
    char dir[64];
    char path[128];
    char snap[160];
    Db *db;
} TmpDb;

static TmpDb t;

static void exec(Db *db, const char *sql)
{
    Err e;
    if (db_exec(db, sql, &e) != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
}

static Date ymd(int y, int m, int d)
{
    Date out = 0;
    assert_int_equal(date_from_ymd(y, m, d, &out, NULL, NULL), 0);
    return out;
}

static int setup(void **state)
{
    DemoOptions o;
    DemoReport rep;
    Actor a;
    Err e;
    (void)state;
    snprintf(t.dir, sizeof t.dir, "/tmp/kc_test_snapd_XXXXXX");
    assert_non_null(mkdtemp(t.dir));
    snprintf(t.path, sizeof t.path, "%s/t.db", t.dir);
    testdb_use(t.path, sizeof t.path, t.dir);
    snprintf(t.snap, sizeof t.snap, "%s/t.db.snapshot", t.dir);
    assert_int_equal(db_open(&t.db, t.path, &e), 0);
    assert_int_equal(db_migrate(t.db, NULL, &e), 0);
    memset(&o, 0, sizeof o);
    o.enterprises = 1000;
    o.seed = 11;
    o.years = 3;
    o.last_year = 2025;
    actor_init_system(&a);
    if (demo_generate(t.db, &a, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    /* declarations and register rows whose periods start and end between
     * the dates compared, yearly and scalar */
    exec(t.db,
         "INSERT INTO enterprise_declarations (enterprise_id, field, year, "
         "value, valid_from, valid_to, src_at) VALUES "
         "(3, 'hnte_cert', 0, 1, '2024-01-01', '2026-12-31', '2026-01-01'),"
         "(5, 'hnte_cert', 0, 1, '2020-01-01', '2022-12-31', '2026-01-01'),"
         "(7, 'employees', 2025, 999, '2025-06-01', NULL, '2026-01-01'),"
         "(8, 'sales_revenue', 2024, 1, NULL, '2025-03-31', '2026-01-01'),"
         "(9, 'conversions', 2023, 3, NULL, NULL, '2026-01-01') "
         "ON CONFLICT (enterprise_id, field, year) DO UPDATE SET value = "
         "excluded.value, valid_from = excluded.valid_from, valid_to = "
         "excluded.valid_to, src_at = excluded.src_at");
    exec(t.db,
         "INSERT INTO qualifications (enterprise_id, kind, level, cert_no, "
         "issued_on, valid_from, valid_to, status, ended_on, end_reason, "
         "src_at, created_at, updated_at) VALUES "
         "(3, 'hnte', 'national', 'GR202412009001', '2024-01-01', "
         "'2024-01-01', '2026-12-31', 'revoked', '2025-03-01', '撤销', 'x', "
         "'x', 'x'),"
         "(15, 'hnte', 'national', 'GR202412009002', '2024-06-01', "
         "'2024-06-01', '2027-05-31', 'valid', NULL, NULL, 'x', 'x', 'x'),"
         "(17, 'tj_hnte', 'municipal', NULL, '2025-01-01', '2025-01-01', "
         "'2027-12-31', 'valid', NULL, NULL, 'x', 'x', 'x')");
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

/* a equals b: ids, units, dates, input hashes, conflict counts, every
 * value, presence and bound (an absent column reads as zeros, as the
 * batch evaluator reads it), and the verdicts and score ranges of
 * sme-2017 and hnte-2016. */
static void assert_same(const Snapshot *a, const Snapshot *b)
{
    static const char *const sets[] = {"sme-2017", "hnte-2016"};
    const BatchInput *x = snapshot_input(a), *y = snapshot_input(b);
    size_t n = snapshot_rows(a);
    Err e;

    assert_int_equal(snapshot_rows(b), n);
    assert_int_equal(snapshot_as_of(a), snapshot_as_of(b));
    assert_int_equal(x->year, y->year);
    assert_int_equal(x->asof, y->asof);
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
    for (size_t k = 0; k < 2; k++) {
        RuleSet *rs = load(sets[k]);
        BatchOut oa, ob;

        memset(&oa, 0, sizeof oa);
        memset(&ob, 0, sizeof ob);
        oa.verdict = xcalloc(n + 1, 1);
        ob.verdict = xcalloc(n + 1, 1);
        oa.total_lo = xcalloc(n + 1, sizeof(int64_t));
        ob.total_lo = xcalloc(n + 1, sizeof(int64_t));
        oa.total_hi = xcalloc(n + 1, sizeof(int64_t));
        ob.total_hi = xcalloc(n + 1, sizeof(int64_t));
        assert_int_equal(snapshot_rescreen(a, rs, &oa, &e), 0);
        assert_int_equal(snapshot_rescreen(b, rs, &ob, &e), 0);
        assert_memory_equal(oa.verdict, ob.verdict, n);
        assert_memory_equal(oa.total_lo, ob.total_lo, n * sizeof(int64_t));
        assert_memory_equal(oa.total_hi, ob.total_hi, n * sizeof(int64_t));
        free(oa.verdict);
        free(ob.verdict);
        free(oa.total_lo);
        free(ob.total_lo);
        free(oa.total_hi);
        free(ob.total_hi);
        rule_set_free(rs);
    }
}

/* Rows whose input hash differs between a and b (same rows). */
static size_t hashes_differing(const Snapshot *a, const Snapshot *b)
{
    size_t k = 0;
    for (size_t r = 0; r < snapshot_rows(a); r++) {
        char ha[65], hb[65];
        snapshot_row_hash(a, r, ha);
        snapshot_row_hash(b, r, hb);
        k += strcmp(ha, hb) != 0;
    }
    return k;
}

/* Every row's input hash equals the one-enterprise reader's at the
 * snapshot's date (elig_load_input, which reads the tables at that date
 * and shares no code path with the snapshot's derivation of dates). */
static void assert_as_elig(const Snapshot *s)
{
    for (size_t r = 0; r < snapshot_rows(s); r++) {
        int64_t id = snapshot_enterprise_id(s, r);
        RuleInput *a = NULL;
        char ha[65], hb[65];
        Err e;

        assert_int_equal(elig_load_input(t.db, id, snapshot_as_of(s), &a, &e),
                         0);
        rule_input_hash(a, ha);
        rule_input_free(a);
        snapshot_row_hash(s, r, hb);
        if (strcmp(ha, hb) != 0) {
            fail_msg("enterprise %lld: input differs from elig_load_input",
                     (long long)id);
        }
    }
}

/* Moved from its build date to d (in memory and after saving and
 * loading), a snapshot equals a build at d. */
static void check_date(Snapshot *base, Date d)
{
    Snapshot *f = NULL, *l = NULL;
    SnapshotInfo info;
    Err e;

    assert_int_equal(snapshot_build(t.db, d, &f, &e), 0);
    assert_int_equal(snapshot_set_date(base, d, &e), 0);
    snapshot_info(base, &info);
    assert_int_equal(info.redated, 1);
    assert_same(base, f);
    assert_as_elig(base);
    assert_int_equal(snapshot_load(t.snap, &l, &e), 0);
    assert_int_equal(snapshot_set_date(l, d, &e), 0);
    assert_same(l, f);
    snapshot_free(l);
    snapshot_free(f);
}

static void test_any_date(void **state)
{
    Snapshot *s = NULL, *a = NULL;
    Date built = ymd(2026, 5, 20);
    Err e;
    (void)state;
    assert_int_equal(snapshot_build(t.db, built, &s, &e), 0);
    assert_int_equal(snapshot_rows(s), 1000);
    assert_int_equal(snapshot_save(s, t.snap, &e), 0);
    /* the dates differ enough that many inputs change (IP in force,
     * windows of facts, years, declarations and register periods): a
     * move that ignored the date would not equal the builds */
    assert_int_equal(snapshot_build(t.db, ymd(2024, 12, 31), &a, &e), 0);
    assert_true(hashes_differing(s, a) > 500);
    snapshot_free(a);
    check_date(s, ymd(2024, 12, 31)); /* past, another year window */
    check_date(s, ymd(2025, 3, 1));   /* past, between periods */
    check_date(s, ymd(2028, 2, 29));  /* future, leap day */
    check_date(s, ymd(2026, 5, 21));  /* the next day */
    check_date(s, built);             /* and back */
    snapshot_free(s);
}

/* Yesterday's saved file serves today: moved, not rebuilt, and saved for
 * the next screening of the day. */
static void test_get_next_day(void **state)
{
    Snapshot *s = NULL, *g = NULL, *f = NULL;
    SnapshotInfo info;
    Date today = ymd(2026, 5, 21);
    Err e;
    (void)state;
    assert_int_equal(snapshot_build(t.db, ymd(2026, 5, 20), &s, &e), 0);
    assert_int_equal(snapshot_save(s, t.snap, &e), 0);
    snapshot_free(s);
    assert_int_equal(snapshot_get(t.db, t.snap, today, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.redated, 1);
    assert_int_equal(info.incremental, 0);
    assert_int_equal(snapshot_build(t.db, today, &f, &e), 0);
    assert_same(g, f);
    snapshot_free(g);
    assert_int_equal(snapshot_get(t.db, t.snap, today, &g, &e), 0);
    snapshot_info(g, &info);
    assert_int_equal(info.from_file, 1);
    assert_int_equal(info.redated, 0);
    assert_same(g, f);
    snapshot_free(g);
    /* an edit since: the file is updated at its date, then moved */
    exec(t.db, "UPDATE enterprise_years SET employees = employees + 1 "
               "WHERE enterprise_id = 21");
    exec(t.db, "INSERT INTO audit_log (id, at, username, addr, action, "
               "object_type, object_id, unit_path, prev_hash, hash) SELECT "
               "MAX(id) + 1, '2026-05-21T00:00:00Z', 't', 't', "
               "'enterprise.update', 'enterprise', 21, '/', 'x', 'x' FROM "
               "audit_log");
    snapshot_free(f);
    f = NULL;
    assert_int_equal(snapshot_build(t.db, ymd(2027, 1, 2), &f, &e), 0);
    assert_int_equal(snapshot_get(t.db, t.snap, ymd(2027, 1, 2), &g, &e), 0);
    assert_same(g, f);
    snapshot_free(g);
    snapshot_free(f);
}

/* Row r of a and b hold different inputs (any value, presence or bound). */
static int row_differs(const Snapshot *a, const Snapshot *b, size_t r)
{
    const BatchInput *x = snapshot_input(a), *y = snapshot_input(b);

    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (at64(x->yv[f][k], r) != at64(y->yv[f][k], r) ||
                at8(x->yhas[f][k], r) != at8(y->yhas[f][k], r)) {
                return 1;
            }
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        if (sat(x, f, r) != sat(y, f, r) ||
            at8(x->shas[f], r) != at8(y->shas[f], r) ||
            at64(x->shi[f], r) != at64(y->shi[f], r)) {
            return 1;
        }
    }
    return 0;
}

/* The next day in the same year window: the content digests of the rows
 * whose dated inputs did not change are kept (not hashed again), so every
 * kind of dated input whose state flips overnight must mark its row. An
 * IP right expiring, an incident leaving the 12 months, a register row
 * starting and a declaration ending on 2026-03-15/16, each for one
 * enterprise: moved from the 15th to the 16th, the snapshot equals a
 * build on the 16th (a row whose change were missed would keep the 15th's
 * content under the 16th's date and its hash would differ), and each of
 * those rows did change. */
static void test_next_day_changes(void **state)
{
    static const int64_t ids[] = {31, 33, 35, 37};
    Snapshot *s = NULL, *f = NULL, *l = NULL;
    Date d0 = ymd(2026, 3, 15), d1 = ymd(2026, 3, 16);
    Err e;
    (void)state;
    exec(t.db,
         "INSERT INTO ip_rights (enterprise_id, kind, klass, number, title, "
         "applied_on, granted_on, expires_on, status, main_product, src_at, "
         "created_at, updated_at) VALUES (31, 'invention', 1, 'ZL-T-1', 't', "
         "'2006-01-01', '2008-01-01', '2026-03-15', 'valid', 1, 'x', 'x', "
         "'x')");
    exec(t.db, "INSERT INTO enterprise_facts (enterprise_id, kind, "
               "occurred_on, src_at, created_at, updated_at) VALUES "
               "(33, 'incident', '2025-03-15', 'x', 'x', 'x')");
    exec(t.db,
         "INSERT INTO qualifications (enterprise_id, kind, level, cert_no, "
         "issued_on, valid_from, valid_to, status, ended_on, end_reason, "
         "src_at, created_at, updated_at) VALUES (35, 'hnte', 'national', "
         "'GR202612009003', '2026-03-16', '2026-03-16', '2029-03-15', "
         "'valid', NULL, NULL, 'x', 'x', 'x')");
    exec(t.db, "INSERT INTO enterprise_declarations (enterprise_id, field, "
               "year, value, valid_from, valid_to, src_at) VALUES "
               "(37, 'tech_staff', 2025, 1, NULL, '2026-03-15', '2026-01-01')");
    assert_int_equal(snapshot_build(t.db, d0, &s, &e), 0);
    assert_int_equal(snapshot_save(s, t.snap, &e), 0);
    assert_int_equal(snapshot_build(t.db, d1, &f, &e), 0);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        int64_t r = snapshot_find(s, ids[i]);
        assert_true(r >= 0);
        if (!row_differs(s, f, (size_t)r)) {
            fail_msg("enterprise %lld: no input changed overnight",
                     (long long)ids[i]);
        }
    }
    assert_int_equal(snapshot_set_date(s, d1, &e), 0);
    assert_same(s, f);
    assert_as_elig(s);
    /* the same from the saved file (its digests lie in the mapping) */
    assert_int_equal(snapshot_load(t.snap, &l, &e), 0);
    assert_int_equal(snapshot_set_date(l, d1, &e), 0);
    assert_same(l, f);
    snapshot_free(l);
    snapshot_free(f);
    snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_date),
        cmocka_unit_test(test_get_next_day),
        cmocka_unit_test(test_next_day_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
