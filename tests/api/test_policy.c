/* test_policy.c - the policy pool through the real dispatcher: an
 * enterprise's 可享政策 with amounts (rounding down to 元, caps, 就高不重复);
 * the district's candidates (batch evaluator over the snapshot) agree
 * with one-by-one matching and follow data scope; the 免申即享 path end to
 * end (entitled list -> confirmation -> public notice with export and an
 * objection -> payment batch -> claw-back) with budget refusal, batch sums
 * and notice periods; applications (scope, duplicates, window, two
 * reviews with roles, exclusions between items); audit entries with
 * before/after; list exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "domain/accounts/audit.h"
#include "domain/eligibility/snapshot.h"
#include "domain/library/ent_year.h"
#include "domain/policy/policy.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t e1, e2, e3, e4;
} Fx;

static void put_hnte(Fx *f, int64_t id)
{
    char url[96];

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    assert_int_equal(
        apitest_status(f->t, "PUT", url,
                       "{\"items\": [{\"field\": \"hnte_cert\", \"value\": "
                       "true, \"valid_from\": \"2024-01-01\", \"valid_to\": "
                       "\"2026-12-31\"}]}"),
        200);
}

static void add_qual(Fx *f, int64_t id, const char *kind, const char *basis,
                     int year)
{
    Err e;
    char from[16];

    snprintf(from, sizeof from, "%d-03-01", year);
    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, year, "
                  "issued_on, valid_from, basis, src_at, created_at, "
                  "updated_at) VALUES ($1, $2, $3, $4, $4, $5, "
                  "'2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', "
                  "'2024-03-01T00:00:00Z')",
                  "ititt", id, kind, (int64_t)year, from, basis),
        0);
}

/* A first 高企 certification without a year, issued on date. */
static void add_qual_no_year(Fx *f, int64_t id, const char *date)
{
    Err e;

    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "issued_on, valid_from, basis, src_at, created_at, "
                  "updated_at) VALUES ($1, 'hnte', $2, $2, 'first', "
                  "'2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', "
                  "'2024-03-01T00:00:00Z')",
                  "it", id, date),
        0);
}

static int64_t item_id(Fx *f, const char *code)
{
    int64_t id = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &id, &e,
                                    "SELECT id FROM policy_items WHERE code "
                                    "= $1",
                                    "t", code),
                     0);
    return id;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    char url[96];

    assert_non_null(f);
    log_set_level(LOG_ERROR);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->e1 = apitest_add_ent(f->t, 1, "甲一科技有限公司", f->street_a);
    f->e2 = apitest_add_ent(f->t, 2, "甲二科技有限公司", f->street_a);
    f->e3 = apitest_add_ent(f->t, 3, "乙一科技有限公司", f->street_b);
    f->e4 = apitest_add_ent(f->t, 4, "甲三科技有限公司", f->street_a);
    put_hnte(f, f->e1);
    put_hnte(f, f->e2);
    put_hnte(f, f->e3);
    add_qual(f, f->e1, "hnte", "first", 2024);
    add_qual(f, f->e3, "hnte", "first", 2024);
    add_qual(f, f->e2, "hnte", "recert", 2024);
    /* 800.0009 万元 of R&D in 2023: 10% = 80.00009 万 -> 800000 元 */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)f->e1);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"rd_expense\": 8000009, "
                                    "\"employees\": 120}"),
                     200);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    char snap[300];

    /* the district matching saved the library snapshot beside the db */
    snprintf(snap, sizeof snap, "%s.snapshot", f->t->path);
    unlink(snap);
    apitest_free(f->t);
    free(f);
    return 0;
}

/* The match row of item code in a GET /enterprises/{id}/policies answer. */
static json_t *match_row(json_t *o, const char *code)
{
    json_t *r;
    size_t i;

    json_array_foreach(json_object_get(o, "items"), i, r)
    {
        if (strcmp(apitest_jstr(r, "code"), code) == 0) {
            return r;
        }
    }
    fail_msg("no match row %s", code);
    return NULL;
}

static int reasons_have(json_t *row, const char *needle)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(row, "reasons"), i, v)
    {
        if (strstr(json_string_value(v), needle)) {
            return 1;
        }
    }
    return 0;
}

static void test_match_enterprise(void **state)
{
    Fx *f = *state;
    char url[128];
    ApiResp r;
    json_t *row;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/policies?year=2024",
             (long long)f->e1);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    row = match_row(r.json, "hnte-first");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_int_equal(apitest_jint(row, "amount"), 200000);
    row = match_row(r.json, "hnte-recert");
    assert_string_equal(apitest_jstr(row, "outcome"), "not");
    assert_true(reasons_have(row, "重新认定"));
    /* percent: floor to whole 元 */
    row = match_row(r.json, "rd-subsidy");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_int_equal(apitest_jint(row, "amount"), 800000);
    assert_non_null(strstr(apitest_jstr(row, "basis"), "向下取整到元"));
    /* tiered 500万 band (10万) loses to the higher rd-subsidy: 就高不重复 */
    row = match_row(r.json, "rd-tier");
    assert_string_equal(apitest_jstr(row, "outcome"), "not");
    assert_true(reasons_have(row, "就高不重复"));
    /* information item: qualified, no money */
    row = match_row(r.json, "hnte-tax");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_false(json_is_true(json_object_get(row, "money")));
    /* claimed-base items: amount from the application */
    row = match_row(r.json, "innovation-voucher");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_false(json_is_true(json_object_get(row, "amount_known")));
    /* 首次认定 20 万 + 研发后补助 80 万 (培育库奖励 is for non-高企) */
    assert_int_equal(apitest_jint(r.json, "total_amount"), 200000 + 800000);
    apiresp_release(&r);

    /* e2: 研发费用 missing -> rd-subsidy is 缺数据, never zero */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/policies?year=2024",
             (long long)f->e2);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    row = match_row(r.json, "rd-subsidy");
    assert_string_equal(apitest_jstr(row, "outcome"), "unknown");
    row = match_row(r.json, "hnte-recert");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_int_equal(apitest_jint(row, "amount"), 100000);
    apiresp_release(&r);

    /* export */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/policies?year=2024&format=csv",
             (long long)f->e1);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "可得金额（万元）"));
    assert_non_null(strstr(r.body, "高新技术企业首次认定奖励"));
    assert_non_null(strstr(r.body, "80"));
    apiresp_release(&r);

    /* e4 (高企 declared): events read once for all items; a register row
     * without a year counts by its issue date, one of another year not */
    put_hnte(f, f->e4);
    add_qual_no_year(f, f->e4, "2023-11-30");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/policies?year=2024",
             (long long)f->e4);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    row = match_row(r.json, "hnte-first");
    assert_string_equal(apitest_jstr(row, "outcome"), "not");
    apiresp_release(&r);
    add_qual_no_year(f, f->e4, "2024-05-01");
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    row = match_row(r.json, "hnte-first");
    assert_string_equal(apitest_jstr(row, "outcome"), "qualified");
    assert_int_equal(apitest_jint(row, "amount"), 200000);
    row = match_row(r.json, "hnte-recert");
    assert_string_equal(apitest_jstr(row, "outcome"), "not");
    apiresp_release(&r);

    /* out of scope for the agent of street A: 404 */
    apitest_login(f->t, "agent_a", "Agent12345");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/policies?year=2024",
             (long long)f->e3);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
}

static void test_candidates_batch_agrees(void **state)
{
    Fx *f = *state;
    static const char *const codes[] = {"hnte-first", "hnte-recert",
                                        "rd-subsidy", "sme-entry", "hnte-tax"};
    int64_t ents[4] = {f->e1, f->e2, f->e3, f->e4};
    char url[160];
    ApiResp r, m;

    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        json_t *row;
        size_t i;
        int in_list[4] = {0};

        snprintf(url, sizeof url,
                 "/api/v1/policy-items/%lld/candidates?year=2024",
                 (long long)item_id(f, codes[k]));
        assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r),
                         200);
        json_array_foreach(json_object_get(r.json, "items"), i, row)
        {
            for (int j = 0; j < 4; j++) {
                if (apitest_jint(row, "enterprise_id") == ents[j]) {
                    in_list[j] = 1;
                    /* the batch amount is the single one's */
                    snprintf(url, sizeof url,
                             "/api/v1/enterprises/%lld/policies?year=2024",
                             (long long)ents[j]);
                    assert_int_equal(
                        apitest_request(f->t, "GET", url, NULL, NULL, &m), 200);
                    assert_int_equal(
                        apitest_jint(row, "amount"),
                        apitest_jint(match_row(m.json, codes[k]), "amount"));
                    apiresp_release(&m);
                }
            }
        }
        apiresp_release(&r);
        /* one by one: qualified exactly when listed (items without
         * stacking) */
        for (int j = 0; j < 4; j++) {
            snprintf(url, sizeof url,
                     "/api/v1/enterprises/%lld/policies?year=2024",
                     (long long)ents[j]);
            assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &m),
                             200);
            if (in_list[j] !=
                (strcmp(apitest_jstr(match_row(m.json, codes[k]), "outcome"),
                        "qualified") == 0)) {
                fail_msg("%s: enterprise %d batch %d vs single %s", codes[k], j,
                         in_list[j],
                         apitest_jstr(match_row(m.json, codes[k]), "outcome"));
            }
            apiresp_release(&m);
        }
    }
    /* all items in one pass agree with the per-item lists */
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-district?year=2024", NULL,
                                     NULL, &r),
                     200);
    assert_int_equal(apitest_jint(r.json, "enterprises"), 4);
    {
        json_t *row;
        size_t i;

        json_array_foreach(json_object_get(r.json, "items"), i, row)
        {
            if (strcmp(apitest_jstr(row, "code"), "hnte-first") == 0) {
                assert_int_equal(apitest_jint(row, "qualified"), 2);
                assert_int_equal(apitest_jint(row, "cost"), 400000);
            }
            if (strcmp(apitest_jstr(row, "code"), "rd-subsidy") == 0) {
                assert_int_equal(apitest_jint(row, "qualified"), 1);
                assert_int_equal(apitest_jint(row, "cost"), 800000);
            }
        }
    }
    apiresp_release(&r);
    /* hnte-first: e1 and e3 district-wide; the agent sees e1 only */
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/candidates?year=2024",
             (long long)item_id(f, "hnte-first"));
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    apitest_login(f->t, "agent_a", "Agent12345");
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0),
                     "enterprise_id"),
        f->e1);
    apiresp_release(&r);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
}

/* The district's qualified count of item code in a summary. */
static int64_t district_qualified(Fx *f, const char *code)
{
    Actor a;
    json_t *o = NULL, *row;
    int64_t n = -1;
    size_t i;
    Err e;

    actor_init_system(&a);
    assert_int_equal(policy_district_summary(f->t->db, &a, 2024, &o, &e), 0);
    json_array_foreach(json_object_get(o, "items"), i, row)
    {
        if (strcmp(apitest_jstr(row, "code"), code) == 0) {
            n = apitest_jint(row, "qualified");
        }
    }
    json_decref(o);
    return n;
}

/* policy_district_dump writes every (enterprise, item) that is not
 * 不符合, with the amounts of the one-pass evaluation; the trigger counts
 * a district pass keeps for the next follow the register (a row added
 * after them is counted). */
static void test_district_dump_and_kept_counts(void **state)
{
    Fx *f = *state;
    Actor a;
    FILE *fp = tmpfile();
    char line[256], want[128];
    int64_t n = 0;
    int seen_e1_first = 0, seen_e3_first = 0, seen_e2_recert = 0;
    int seen_e1_rd = 0, seen_e4_first = 0, lines = 0;
    Err e;

    assert_non_null(fp);
    actor_init_system(&a);
    assert_int_equal(policy_district_dump(f->t->db, &a, 2024, fp, &n, &e), 0);
    rewind(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "enterprise_id,item,outcome,amount\n");
    while (fgets(line, sizeof line, fp)) {
        lines++;
        snprintf(want, sizeof want, "%lld,hnte-first,qualified,200000\n",
                 (long long)f->e1);
        seen_e1_first |= strcmp(line, want) == 0;
        snprintf(want, sizeof want, "%lld,hnte-first,qualified,200000\n",
                 (long long)f->e3);
        seen_e3_first |= strcmp(line, want) == 0;
        snprintf(want, sizeof want, "%lld,hnte-recert,qualified,100000\n",
                 (long long)f->e2);
        seen_e2_recert |= strcmp(line, want) == 0;
        /* 8000009 元 x 10 % = 800000.9 -> 800000 */
        snprintf(want, sizeof want, "%lld,rd-subsidy,qualified,800000\n",
                 (long long)f->e1);
        seen_e1_rd |= strcmp(line, want) == 0;
        snprintf(want, sizeof want, "%lld,hnte-first,", (long long)f->e4);
        seen_e4_first |= strncmp(line, want, strlen(want)) == 0;
        /* never a 不符合 row without an amount */
        assert_null(strstr(line, ",not,0\n"));
    }
    fclose(fp);
    assert_int_equal(lines, n);
    assert_true(seen_e1_first && seen_e3_first && seen_e2_recert);
    assert_true(seen_e1_rd);
    assert_false(seen_e4_first);

    /* e2 holds a 高企 certificate; a first certification of 2024 added to
     * the register after a district pass is counted by the next */
    assert_int_equal(district_qualified(f, "hnte-first"), 2);
    assert_int_equal(district_qualified(f, "hnte-first"), 2);
    add_qual(f, f->e2, "hnte", "first", 2024);
    assert_int_equal(district_qualified(f, "hnte-first"), 3);
    /* a register row without a year counts by its issue date */
    put_hnte(f, f->e4);
    add_qual_no_year(f, f->e4, "2023-11-30");
    assert_int_equal(district_qualified(f, "hnte-first"), 3);
    add_qual_no_year(f, f->e4, "2024-05-01");
    assert_int_equal(district_qualified(f, "hnte-first"), 4);
}

/* The district's candidates count (qualified, unknown, pending) of item
 * code, over connection db. */
static int64_t district_qualified_on(Db *db, const char *code)
{
    Actor a;
    json_t *o = NULL, *row;
    int64_t n = -1;
    size_t i;
    Err e;

    actor_init_system(&a);
    assert_int_equal(policy_district_summary(db, &a, 2024, &o, &e), 0);
    json_array_foreach(json_object_get(o, "items"), i, row)
    {
        if (strcmp(apitest_jstr(row, "code"), code) == 0) {
            n = apitest_jint(row, "qualified");
        }
    }
    json_decref(o);
    return n;
}

/* Set the R&D expense of enterprise id for 2023 through connection db
 * (its own transaction and audit entry, as any writer's). */
static void put_rd(Db *db, int64_t id, int64_t rd)
{
    EntYearInput in;
    Actor a;
    Err e;

    memset(&in, 0, sizeof in);
    in.year = 2023;
    ent_year_input_set(&in, ent_year_field_index("rd_expense"), rd);
    ent_year_input_set(&in, ent_year_field_index("employees"), 50);
    actor_init_system(&a);
    assert_int_equal(ent_year_upsert(db, &a, id, &in, NULL, &e), 0);
}

/* The process keeps the district's snapshot between requests and uses it
 * while nothing that changes rule inputs was written; a write between two
 * requests is seen by the second, also one made through another
 * connection (in PostgreSQL: another instance of the server), and a
 * snapshot replaced while held stays valid for its holder. */
static void test_district_snapshot_kept(void **state)
{
    Fx *f = *state;
    Snapshot *s1 = NULL, *s2 = NULL, *s3 = NULL;
    Db *db2 = NULL;
    Date as_of;
    int64_t before, r3;
    Err e;

    policy_snapshot_forget();
    assert_int_equal(date_from_ymd(2024, 12, 31, &as_of, "year", &e), 0);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s1, &e), 0);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s2, &e), 0);
    assert_ptr_equal(s1, s2); /* kept: not built or mapped again */
    policy_snapshot_release(s2);
    s2 = NULL;
    /* logging in writes audit entries that change no rule input */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s2, &e), 0);
    assert_ptr_equal(s1, s2);
    policy_snapshot_release(s2);
    s2 = NULL;

    /* e3 (高企 declared, no figures) gets 2023's R&D expense: the
     * rd-subsidy count follows at once */
    before = district_qualified_on(f->t->db, "rd-subsidy");
    put_rd(f->t->db, f->e3, 5000000);
    assert_int_equal(district_qualified_on(f->t->db, "rd-subsidy"), before + 1);
    /* the snapshot s1 was replaced (brought in step) while held */
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s2, &e), 0);
    assert_ptr_not_equal(s1, s2);
    r3 = snapshot_find(s1, f->e3);
    assert_true(r3 >= 0);
    assert_int_equal(snapshot_rows(s1), snapshot_rows(s2));
    policy_snapshot_release(s1);
    s1 = NULL;

    /* another connection (instance) writes: this one sees it */
    assert_int_equal(db_open(&db2, f->t->path, &e), 0);
    put_rd(db2, f->e2, 5000000);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s3, &e), 0);
    assert_ptr_not_equal(s2, s3);
    policy_snapshot_release(s3);
    policy_snapshot_release(s2);
    assert_int_equal(district_qualified_on(f->t->db, "rd-subsidy"), before + 2);
    /* and the other connection's next request sees its own write too */
    assert_int_equal(district_qualified_on(db2, "rd-subsidy"), before + 2);
    db_close(db2);
    policy_snapshot_forget();
}

/* n log-ins' audit entries (they change no rule input), one transaction. */
static void log_ins(Db *db, int n)
{
    Actor a;
    Err e;

    actor_init_system(&a);
    assert_int_equal(db_begin(db, &e), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(audit_record(db, &a, "session.login", "session", i + 1,
                                      "/", NULL, NULL, &e),
                         0);
    }
    assert_int_equal(db_commit(db, &e), 0);
}

/* The audit entries the next policy_snapshot() reads to check the kept
 * one (it must still be s). */
static int64_t rows_checked(Fx *f, Date as_of, Snapshot *s)
{
    Snapshot *g = NULL;
    int64_t r0 = snapshot_test_fresh_rows;
    Err e;

    assert_int_equal(policy_snapshot(f->t->db, as_of, &g, &e), 0);
    assert_ptr_equal(g, s);
    policy_snapshot_release(g);
    return snapshot_test_fresh_rows - r0;
}

/* The check of the kept snapshot reads each harmless audit entry once:
 * after many log-ins a request reads only the entries written since the
 * last one; a rule-input write after them is still seen, and so is a
 * different audit entry where the last check ended (another database at
 * the same location). */
static void test_district_snapshot_checked(void **state)
{
    Fx *f = *state;
    Snapshot *s1 = NULL, *s2 = NULL;
    Date as_of;
    int64_t before, last = 0;
    Err e;

    policy_snapshot_forget();
    assert_int_equal(date_from_ymd(2024, 12, 31, &as_of, "year", &e), 0);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s1, &e), 0);
    assert_int_equal(rows_checked(f, as_of, s1), 0);
    log_ins(f->t->db, 1500); /* more than one batch of the scan */
    assert_int_equal(rows_checked(f, as_of, s1), 1500);
    assert_int_equal(rows_checked(f, as_of, s1), 0);
    log_ins(f->t->db, 3);
    assert_int_equal(rows_checked(f, as_of, s1), 3);
    assert_int_equal(rows_checked(f, as_of, s1), 0);

    /* a rule-input write after many harmless entries */
    before = district_qualified_on(f->t->db, "rd-subsidy");
    log_ins(f->t->db, 300);
    put_rd(f->t->db, f->e3, 5000000);
    log_ins(f->t->db, 2);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s2, &e), 0);
    assert_ptr_not_equal(s1, s2);
    policy_snapshot_release(s2);
    policy_snapshot_release(s1);
    assert_int_equal(district_qualified_on(f->t->db, "rd-subsidy"), before + 1);

    /* the entry where the last check ended is not the one it saw */
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s1, &e), 0);
    log_ins(f->t->db, 5);
    assert_int_equal(rows_checked(f, as_of, s1), 5);
    assert_int_equal(db_query_int64(f->t->db, &last, &e,
                                    "SELECT MAX(id) FROM audit_log", ""),
                     0);
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE audit_log SET hash = 'other' WHERE "
                               "id = $1",
                               "i", last),
                     0);
    assert_int_equal(policy_snapshot(f->t->db, as_of, &s2, &e), 0);
    assert_ptr_not_equal(s1, s2);
    policy_snapshot_release(s2);
    policy_snapshot_release(s1);
    policy_snapshot_forget();
}

typedef struct SnapTh {
    const char *path;
    Date as_of;
    Snapshot *s;
    int rc;
} SnapTh;

static void *snap_thread(void *arg)
{
    SnapTh *x = arg;
    Db *db = NULL;
    Err e;

    x->rc = db_open(&db, x->path, &e);
    if (x->rc == 0) {
        x->rc = policy_snapshot(db, x->as_of, &x->s, &e);
    }
    db_close(db);
    return NULL;
}

/* Requests arriving together while no snapshot is kept (a server's first,
 * or the first after a write) get it once: the others wait and share it. */
static void test_district_snapshot_once(void **state)
{
    Fx *f = *state;
    SnapTh x[3];
    pthread_t th[3];
    Err e;

    policy_snapshot_forget();
    for (int i = 0; i < 3; i++) {
        memset(&x[i], 0, sizeof x[i]);
        x[i].path = f->t->path;
        assert_int_equal(date_from_ymd(2024, 12, 31, &x[i].as_of, "y", &e), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, snap_thread, &x[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(x[i].rc, 0);
    }
    /* all three still held: one snapshot */
    assert_ptr_equal(x[0].s, x[1].s);
    assert_ptr_equal(x[0].s, x[2].s);
    for (int i = 0; i < 3; i++) {
        policy_snapshot_release(x[i].s);
    }
    policy_snapshot_forget();
}

/* The dump of the district for year as one string (malloc'd). */
static char *dump_text(Fx *f, int64_t *n)
{
    Actor a;
    FILE *fp = tmpfile();
    long len;
    char *text;
    Err e;

    assert_non_null(fp);
    actor_init_system(&a);
    assert_int_equal(policy_district_dump(f->t->db, &a, 2024, fp, n, &e), 0);
    len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    text = calloc(1, (size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    return text;
}

/* The district summary for year as text (counts and costs only). */
static char *summary_text(Fx *f)
{
    Actor a;
    json_t *o = NULL;
    char *text;
    Err e;

    actor_init_system(&a);
    assert_int_equal(policy_district_summary(f->t->db, &a, 2024, &o, &e), 0);
    text = json_dumps(json_object_get(o, "items"), JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

/* The district pass in chunks of rows shared out to two threads, with
 * rows skipped where an item's trigger has no event: any chunk size gives
 * the same outcomes, amounts, counts and costs, and every row agrees with
 * the per-item candidate list (one batch evaluation of the whole library,
 * another code path). */
static void test_district_chunks_agree(void **state)
{
    Fx *f = *state;
    int64_t e5, e6, e7, e8, e9, n1 = 0, n2 = 0, n3 = 0, n_rows = 0;
    char *whole, *by1, *by3, *sum_whole, *sum1, url[96];
    PolicyItem *items = NULL;
    int n_items = 0;
    Actor a;
    Err e;

    e5 = apitest_add_ent(f->t, 5, "丙一科技有限公司", f->street_b);
    e6 = apitest_add_ent(f->t, 6, "丙二科技有限公司", f->street_a);
    e7 = apitest_add_ent(f->t, 7, "丙三科技有限公司", f->street_b);
    e8 = apitest_add_ent(f->t, 8, "丙四科技有限公司", f->street_a);
    e9 = apitest_add_ent(f->t, 9, "丙五科技有限公司", f->street_b);
    put_hnte(f, e6);
    put_hnte(f, e9);
    add_qual(f, e5, "sme", NULL, 2024);
    add_qual(f, e9, "sme", NULL, 2024);
    add_qual(f, e9, "hnte", "first", 2024);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)e6);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"rd_expense\": 52000000, "
                                    "\"employees\": 300}"),
                     200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)e8);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"rd_expense\": 3000000, "
                                    "\"employees\": 40}"),
                     200);
    (void)e7;

    policy_district_chunk_set(0);
    whole = dump_text(f, &n1);
    sum_whole = summary_text(f);
    policy_district_chunk_set(1);
    by1 = dump_text(f, &n2);
    sum1 = summary_text(f);
    policy_district_chunk_set(3);
    by3 = dump_text(f, &n3);
    policy_district_chunk_set(0);
    assert_string_equal(whole, by1);
    assert_string_equal(whole, by3);
    assert_string_equal(sum_whole, sum1);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, n3);

    /* row by row against the candidate lists */
    actor_init_system(&a);
    assert_int_equal(policy_items_load_all(f->t->db, &items, &n_items, &e), 0);
    for (int i = 0; i < n_items; i++) {
        json_t *rows = NULL, *row;
        size_t k;

        assert_int_equal(
            policy_candidates(f->t->db, &a, items[i].id, 2024, 0x3e, &rows, &e),
            0);
        json_array_foreach(rows, k, row)
        {
            char want[160];

            /* the list shows the amount of any outcome; the district
             * counts it for the qualified only */
            if (strcmp(apitest_jstr(row, "outcome"), "not") == 0) {
                continue;
            }
            snprintf(want, sizeof want, "\n%lld,%s,%s,%lld\n",
                     (long long)apitest_jint(row, "enterprise_id"),
                     items[i].code, apitest_jstr(row, "outcome"),
                     strcmp(apitest_jstr(row, "outcome"), "qualified") == 0
                         ? (long long)apitest_jint(row, "amount")
                         : 0LL);
            if (!strstr(whole, want)) {
                fail_msg("candidate row missing from the dump: %s", want + 1);
            }
            n_rows++;
        }
        json_decref(rows);
    }
    policy_items_free(items, n_items);
    assert_int_equal(n_rows, n1);
    assert_true(n1 > 9);
    /* the sme-entry event of e5 and the 2 first certifications of e9 */
    {
        char want[96];

        snprintf(want, sizeof want, "\n%lld,sme-entry,qualified,",
                 (long long)e5);
        assert_non_null(strstr(whole, want));
        snprintf(want, sizeof want, "\n%lld,hnte-first,qualified,",
                 (long long)e9);
        assert_non_null(strstr(whole, want));
    }
    free(whole);
    free(by1);
    free(by3);
    free(sum_whole);
    free(sum1);
}

static int64_t count(Fx *f, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e, sql, ""), 0);
    return n;
}

static int64_t app_of(Fx *f, int64_t item, int64_t ent)
{
    int64_t id = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &id, &e,
                                    "SELECT id FROM policy_applications "
                                    "WHERE item_id = $1 AND enterprise_id = "
                                    "$2",
                                    "ii", item, ent),
                     0);
    return id;
}

static void expect_error(Fx *f, const char *method, const char *url,
                         const char *body, int status, const char *needle)
{
    ApiResp r;

    apitest_request(f->t, method, url, body, NULL, &r);
    if (r.status != status ||
        (needle && !strstr(r.body ? r.body : "", needle))) {
        fail_msg("%s %s: want %d with \"%s\", got %d %s", method, url, status,
                 needle ? needle : "", r.status, r.body);
    }
    apiresp_release(&r);
}

static void test_entitled_to_payment(void **state)
{
    Fx *f = *state;
    int64_t first = item_id(f, "hnte-first");
    int64_t a1, a3, notice;
    char url[160], body[512];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/entitled?year=2024",
             (long long)first);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    /* not a 免申即享 item */
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/entitled?year=2024",
             (long long)item_id(f, "rd-subsidy"));
    expect_error(f, "GET", url, NULL, 400, "不是免申即享");

    /* the agent may not confirm */
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/entitled",
             (long long)first);
    snprintf(body, sizeof body,
             "{\"year\": 2024, \"enterprise_ids\": [%lld, %lld]}",
             (long long)f->e1, (long long)f->e3);
    apitest_login(f->t, "agent_a", "Agent12345");
    expect_error(f, "POST", url, body, 403, NULL);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
    /* an enterprise not on the list: nothing written */
    snprintf(body, sizeof body,
             "{\"year\": 2024, \"enterprise_ids\": [%lld, %lld]}",
             (long long)f->e1, (long long)f->e4);
    expect_error(f, "POST", url, body, 400, "不在本条款");
    assert_int_equal(count(f, "SELECT count(*) FROM policy_applications"), 0);
    snprintf(body, sizeof body,
             "{\"year\": 2024, \"enterprise_ids\": [%lld, %lld]}",
             (long long)f->e1, (long long)f->e3);
    assert_int_equal(apitest_request(f->t, "POST", url, body, NULL, &r), 201);
    assert_int_equal(apitest_jint(r.json, "created"), 2);
    apiresp_release(&r);
    expect_error(f, "POST", url, body, 400, NULL);
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/entitled?year=2024",
             (long long)first);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    a1 = app_of(f, first, f->e1);
    a3 = app_of(f, first, f->e3);

    /* public notice */
    snprintf(body, sizeof body,
             "{\"title\": \"2024年高新技术企业首次认定奖励拟兑现名单公示\", "
             "\"start_on\": \"2024-06-01\", \"end_on\": \"2024-06-07\", "
             "\"contact\": \"区科技局（电话 12345678）\", "
             "\"application_ids\": [%lld, %lld]}",
             (long long)a1, (long long)a3);
    assert_int_equal(
        apitest_request(f->t, "POST", "/api/v1/policy-notices", body, NULL, &r),
        201);
    notice = apitest_jint(r.json, "id");
    assert_int_equal(apitest_jint(r.json, "n_applications"), 2);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/policy-notices/%lld?format=csv",
             (long long)notice);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "公示期：2024-06-01 至 2024-06-07"));
    assert_non_null(strstr(r.body, "序号,企业名称,统一社会信用代码"));
    assert_non_null(strstr(r.body, "乙一科技有限公司"));
    assert_non_null(strstr(r.body, ",20\r\n"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/policy-notices/%lld?format=xlsx",
             (long long)notice);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);

    /* an objection outside the period is refused; inside it is recorded */
    snprintf(url, sizeof url, "/api/v1/policy-notices/%lld/objections",
             (long long)notice);
    snprintf(body, sizeof body,
             "{\"application_id\": %lld, \"content\": \"该企业已迁出\", "
             "\"received_on\": \"2024-06-09\"}",
             (long long)a3);
    expect_error(f, "POST", url, body, 400, "不在公示期");
    snprintf(body, sizeof body,
             "{\"application_id\": %lld, \"content\": \"该企业已迁出\", "
             "\"received_on\": \"2024-06-03\"}",
             (long long)a3);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 201);

    /* budget: 30 万 for the line, so only one 20 万 reward fits */
    assert_int_equal(apitest_status(f->t, "PUT", "/api/v1/policy-budgets",
                                    "{\"line\": \"高企认定奖励\", \"year\": "
                                    "2024, \"amount_wan\": \"30\"}"),
                     200);

    /* batch total differs from its rows: refused, nothing written */
    snprintf(body, sizeof body,
             "{\"title\": \"第一批\", \"paid_on\": \"2024-06-10\", "
             "\"voucher_no\": \"PZ-001\", \"total_wan\": \"25\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a1);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 400, "不符");
    /* paid inside the notice period: refused */
    snprintf(body, sizeof body,
             "{\"title\": \"第一批\", \"paid_on\": \"2024-06-05\", "
             "\"voucher_no\": \"PZ-001\", \"total_wan\": \"20\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a1);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 409, "公示期");
    /* an open objection blocks the row: the whole batch is refused */
    snprintf(body, sizeof body,
             "{\"title\": \"第一批\", \"paid_on\": \"2024-06-10\", "
             "\"voucher_no\": \"PZ-001\", \"total_wan\": \"40\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}, "
             "{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a1, (long long)a3);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 409, "异议");
    assert_int_equal(count(f, "SELECT count(*) FROM policy_batches"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM policy_payments"), 0);
    /* the agent may not pay */
    snprintf(body, sizeof body,
             "{\"title\": \"第一批\", \"paid_on\": \"2024-06-10\", "
             "\"voucher_no\": \"PZ-001\", \"total_wan\": \"20\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a1);
    apitest_login(f->t, "agent_a", "Agent12345");
    expect_error(f, "POST", "/api/v1/policy-batches", body, 403, NULL);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
    assert_int_equal(
        apitest_request(f->t, "POST", "/api/v1/policy-batches", body, NULL, &r),
        201);
    assert_int_equal(apitest_jint(r.json, "total"), 200000);
    assert_int_equal(apitest_jint(r.json, "rows_sum"), 200000);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld",
             (long long)a1);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "closed");
    assert_int_equal(apitest_jint(r.json, "paid"), 200000);
    apiresp_release(&r);

    /* objection dismissed; the second 20 万 exceeds the 30 万 budget */
    {
        int64_t oid = count(f, "SELECT max(id) FROM policy_objections");

        snprintf(url, sizeof url, "/api/v1/policy-objections/%lld/resolve",
                 (long long)oid);
        assert_int_equal(apitest_status(f->t, "POST", url,
                                        "{\"upheld\": false, \"resolution\": "
                                        "\"经核实仍在本区\"}"),
                         200);
        expect_error(f, "POST", url,
                     "{\"upheld\": false, \"resolution\": \"再次\"}", 409,
                     "已处理");
    }
    snprintf(body, sizeof body,
             "{\"title\": \"第二批\", \"paid_on\": \"2024-06-12\", "
             "\"voucher_no\": \"PZ-002\", \"total_wan\": \"20\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a3);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 400, "超出预算");
    assert_int_equal(count(f, "SELECT count(*) FROM policy_batches"), 1);
    assert_int_equal(apitest_status(f->t, "PUT", "/api/v1/policy-budgets",
                                    "{\"line\": \"高企认定奖励\", \"year\": "
                                    "2024, \"amount_wan\": \"40\"}"),
                     200);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/policy-batches", body), 201);
    /* budget view: 40 paid, nothing committed, 0 left */
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-budgets?year=2024", NULL,
                                     NULL, &r),
                     200);
    {
        json_t *row;
        size_t i;
        int seen = 0;

        json_array_foreach(json_object_get(r.json, "items"), i, row)
        {
            if (strcmp(apitest_jstr(row, "line"), "高企认定奖励") == 0) {
                seen = 1;
                assert_int_equal(apitest_jint(row, "amount"), 400000);
                assert_int_equal(apitest_jint(row, "paid"), 400000);
                assert_int_equal(apitest_jint(row, "committed"), 0);
                assert_int_equal(apitest_jint(row, "remaining"), 0);
            }
        }
        assert_true(seen);
    }
    apiresp_release(&r);
    /* a budget below what was paid is refused */
    expect_error(f, "PUT", "/api/v1/policy-budgets",
                 "{\"line\": \"高企认定奖励\", \"year\": 2024, "
                 "\"amount_wan\": \"30\"}",
                 400, "少于");

    /* claw-back: not more than paid; a new negative entry, audited */
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld/clawbacks",
             (long long)a1);
    expect_error(f, "POST", url,
                 "{\"amount_wan\": \"25\", \"reason\": \"迁出本区\"}", 400,
                 "超过已拨付");
    expect_error(f, "POST", url, "{\"amount_wan\": \"5\"}", 400, "reason");
    assert_int_equal(apitest_request(f->t, "POST", url,
                                     "{\"amount_wan\": \"5\", \"reason\": "
                                     "\"部分不符合，追回\", \"on\": "
                                     "\"2024-09-01\"}",
                                     NULL, &r),
                     201);
    assert_int_equal(apitest_jint(r.json, "paid"), 150000);
    assert_int_equal(json_array_size(json_object_get(r.json, "payments")), 2);
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT count(*) FROM policy_payments WHERE "
                              "amount < 0"),
                     1);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/audit?action=policy_app.clawback",
                                     NULL, NULL, &r),
                     200);
    {
        json_t *it = json_array_get(json_object_get(r.json, "items"), 0);

        assert_non_null(it);
        assert_non_null(json_object_get(it, "before"));
        assert_non_null(json_object_get(it, "after"));
    }
    apiresp_release(&r);
    /* the batch list and its export reconcile */
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-batches?format=csv", NULL,
                                     NULL, &r),
                     200);
    assert_non_null(strstr(r.body, "PZ-002"));
    apiresp_release(&r);
}

static void test_applications(void **state)
{
    Fx *f = *state;
    char body[512], url[160];
    int64_t voucher = item_id(f, "innovation-voucher"), app;
    ApiResp r;

    apitest_login(f->t, "agent_a", "Agent12345");
    /* outside the agent's unit */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"30\"}",
             (long long)voucher, (long long)f->e3);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 404,
                 "管辖范围");
    /* claimed base missing */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024}",
             (long long)voucher, (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400,
                 "申报金额");
    /* 30 万 x 50% = 15 万, capped at 10 万 */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"30\", \"attachments\": [\"服务合同.pdf\"]}",
             (long long)voucher, (long long)f->e1);
    assert_int_equal(apitest_request(f->t, "POST",
                                     "/api/v1/policy-applications", body, NULL,
                                     &r),
                     201);
    app = apitest_jint(r.json, "id");
    assert_int_equal(apitest_jint(r.json, "amount"), 100000);
    assert_string_equal(apitest_jstr(r.json, "status"), "submitted");
    apiresp_release(&r);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 409,
                 "不能重复申请");
    /* the file itself beside its name (佐证材料), in the agent's scope */
    snprintf(url, sizeof url,
             "/api/v1/attachments?owner_type=policy_application&owner_id=%lld"
             "&file_name=%%E6%%9C%%8D%%E5%%8A%%A1%%E5%%90%%88%%E5%%90%%8C.pdf",
             (long long)app); /* 服务合同.pdf */
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.4 合同"), 201);
    snprintf(url, sizeof url,
             "/api/v1/attachments?owner_type=policy_application&owner_id=%lld",
             (long long)app);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "name"),
        "服务合同.pdf");
    apiresp_release(&r);
    /* reviews: street by the agent, bureau not by the agent */
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld/review",
             (long long)app);
    expect_error(f, "POST", url,
                 "{\"stage\": \"bureau\", \"decision\": \"approve\"}", 403,
                 NULL);
    expect_error(f, "POST", url,
                 "{\"stage\": \"street\", \"decision\": \"reject\"}", 400,
                 "理由");
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"stage\": \"street\", \"decision\": "
                                    "\"approve\", \"note\": \"材料齐全\"}"),
                     200);
    expect_error(f, "POST", url,
                 "{\"stage\": \"street\", \"decision\": \"approve\"}", 409,
                 NULL);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
    assert_int_equal(apitest_request(f->t, "POST", url,
                                     "{\"stage\": \"bureau\", \"decision\": "
                                     "\"approve\"}",
                                     NULL, &r),
                     200);
    assert_string_equal(apitest_jstr(r.json, "status"), "bureau_ok");
    apiresp_release(&r);
    /* reviewed by the bureau: its files are final */
    snprintf(url, sizeof url,
             "/api/v1/attachments?owner_type=policy_application&owner_id=%lld"
             "&file_name=b.pdf",
             (long long)app);
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.4 b"), 409);
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld/review",
             (long long)app);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/audit?action=policy_app.bureau",
                                     NULL, NULL, &r),
                     200);
    {
        json_t *it = json_array_get(json_object_get(r.json, "items"), 0);
        char *before = json_dumps(json_object_get(it, "before"), 0);

        assert_non_null(before);
        assert_non_null(strstr(before, "street_ok"));
        free(before);
    }
    apiresp_release(&r);

    /* exclusions: 担保费补贴 excludes 贷款贴息 once the latter is applied */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"40\"}",
             (long long)item_id(f, "loan-interest"), (long long)f->e1);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/policy-applications", body), 201);
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"10\"}",
             (long long)item_id(f, "loan-guarantee"), (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400,
                 "不能同时享受");
    /* information items are not applied for here */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024}",
             (long long)item_id(f, "hnte-tax"), (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400, "提示类");
    /* the application window */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"applied_on\": \"2024-03-01\"}",
             (long long)item_id(f, "rd-subsidy"), (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400, "申报期");
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"applied_on\": \"2024-05-01\", \"amount_wan\": \"81\"}",
             (long long)item_id(f, "rd-subsidy"), (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400,
                 "超过按公式计算");
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"applied_on\": \"2024-05-01\"}",
             (long long)item_id(f, "rd-subsidy"), (long long)f->e1);
    assert_int_equal(apitest_request(f->t, "POST",
                                     "/api/v1/policy-applications", body, NULL,
                                     &r),
                     201);
    assert_int_equal(apitest_jint(r.json, "amount"), 800000);
    apiresp_release(&r);
    /* not qualified: refused with why */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024}",
             (long long)item_id(f, "hnte-recert"), (long long)f->e1);
    expect_error(f, "POST", "/api/v1/policy-applications", body, 400, "不符合");
    /* an application of street B is invisible to the agent of street A:
     * reading, reviewing and clawing back answer 404 */
    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"4\"}",
             (long long)voucher, (long long)f->e3);
    assert_int_equal(apitest_request(f->t, "POST",
                                     "/api/v1/policy-applications", body, NULL,
                                     &r),
                     201);
    app = apitest_jint(r.json, "id");
    assert_int_equal(apitest_jint(r.json, "amount"), 20000);
    apiresp_release(&r);
    apitest_login(f->t, "agent_a", "Agent12345");
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld",
             (long long)app);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld/review",
             (long long)app);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"stage\": \"street\", \"decision\": "
                                    "\"approve\"}"),
                     404);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
    /* the agent's list holds street A only */
    apitest_login(f->t, "agent_a", "Agent12345");
    assert_int_equal(apitest_request(f->t, "GET", "/api/v1/policy-applications",
                                     NULL, NULL, &r),
                     200);
    {
        json_t *it;
        size_t i;

        assert_true(json_array_size(json_object_get(r.json, "items")) > 0);
        json_array_foreach(json_object_get(r.json, "items"), i, it)
        {
            assert_string_equal(apitest_jstr(it, "unit_name"), "大王庄街道");
        }
    }
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-applications?page_size=1"
                                     "&page=2",
                                     NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-applications?format=xlsx",
                                     NULL, NULL, &r),
                     200);
    assert_true(r.body_len > 100);
    apiresp_release(&r);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
}

static void test_pool_lists_and_items(void **state)
{
    Fx *f = *state;
    char url[128];
    ApiResp r;

    assert_int_equal(
        apitest_request(f->t, "GET", "/api/v1/policies", NULL, NULL, &r), 200);
    assert_true(apitest_jint(r.json, "total") >= 8);
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET", "/api/v1/policies?format=csv",
                                     NULL, NULL, &r),
                     200);
    assert_non_null(strstr(r.body, "企业所得税法第二十八条"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld",
             (long long)item_id(f, "rd-subsidy"));
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    assert_non_null(
        strstr(apitest_jstr(r.json, "rule_text"), "rd_expense[y] >= 100万"));
    assert_true(json_array_size(json_object_get(r.json, "cases")) >= 3);
    assert_true(json_is_true(json_object_get(
        json_array_get(json_object_get(r.json, "cases"), 0), "ok")));
    apiresp_release(&r);
    /* a new item with a formula that can go negative is refused */
    expect_error(f, "POST", "/api/v1/policies/1/items",
                 "{\"code\": \"neg\", \"title\": \"负\", \"amount_kind\": "
                 "\"percent\", \"figure\": \"net_profit\", \"rate\": \"5%\", "
                 "\"budget_line\": \"x\"}",
                 400, "负");
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/policies/1/items",
                                    "{\"code\": \"extra\", \"title\": "
                                    "\"新条款\", \"amount_kind\": \"fixed\", "
                                    "\"amount_wan\": \"3\", \"budget_line\": "
                                    "\"x\"}"),
                     201);
    /* a policy out of force for the year: its items match nobody */
    {
        int64_t pid = 0;
        Err e;

        assert_int_equal(db_query_int64(f->t->db, &pid, &e,
                                        "SELECT id FROM policies WHERE code "
                                        "= 'national-hnte-tax'",
                                        ""),
                         0);
        snprintf(url, sizeof url, "/api/v1/policies/%lld", (long long)pid);
        assert_int_equal(
            apitest_status(f->t, "PUT", url,
                           "{\"code\": \"national-hnte-tax\", \"title\": "
                           "\"高企15%\", \"level\": \"national\", "
                           "\"effective_from\": \"2008-01-01\", "
                           "\"effective_to\": \"2023-12-31\", \"status\": "
                           "\"confirmed\"}"),
            200);
        /* the served policy statuses are the ones a write takes, each
         * named as served; another code is refused */
        {
            json_t *ref, *it;
            size_t i;
            char body[320];

            assert_int_equal(apitest_request(f->t, "GET",
                                             "/api/v1/reference/labels", NULL,
                                             NULL, &r),
                             200);
            ref = json_incref(json_object_get(r.json, "policy_statuses"));
            apiresp_release(&r);
            assert_int_equal(json_array_size(ref), 3);
            json_array_foreach(ref, i, it)
            {
                snprintf(body, sizeof body,
                         "{\"code\": \"national-hnte-tax\", \"title\": "
                         "\"高企15%%\", \"level\": \"national\", "
                         "\"effective_from\": \"2008-01-01\", "
                         "\"effective_to\": \"2023-12-31\", \"status\": "
                         "\"%s\"}",
                         apitest_jstr(it, "value"));
                assert_int_equal(apitest_status(f->t, "PUT", url, body), 200);
                assert_int_equal(
                    apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
                assert_string_equal(apitest_jstr(r.json, "status_name"),
                                    apitest_jstr(it, "label"));
                apiresp_release(&r);
            }
            /* a refused status is told every code of the served table,
             * for a policy and for an item */
            apitest_expect_refusal(
                f->t, "PUT", url,
                "{\"code\": \"national-hnte-tax\", \"title\": \"高企15%\", "
                "\"level\": \"national\", \"effective_from\": "
                "\"2008-01-01\", \"effective_to\": \"2023-12-31\", "
                "\"status\": \"verified\"}",
                "status", "状态", ref);
            apitest_expect_refusal(
                f->t, "POST", "/api/v1/policies/1/items",
                "{\"code\": \"extra3\", \"title\": \"新条款\", "
                "\"amount_kind\": \"fixed\", \"amount_wan\": \"3\", "
                "\"budget_line\": \"x\", \"status\": \"verified\"}",
                "status", "状态", ref);
            json_decref(ref);
            assert_int_equal(
                apitest_status(f->t, "PUT", url,
                               "{\"code\": \"national-hnte-tax\", "
                               "\"title\": \"高企15%\", \"level\": "
                               "\"national\", \"status\": \"verified\"}"),
                400);
            assert_int_equal(
                apitest_status(f->t, "PUT", url,
                               "{\"code\": \"national-hnte-tax\", "
                               "\"title\": \"高企15%\", \"level\": "
                               "\"national\", \"effective_from\": "
                               "\"2008-01-01\", \"effective_to\": "
                               "\"2023-12-31\", \"status\": \"confirmed\"}"),
                200);
        }
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld/policies?year=2024",
                 (long long)f->e1);
        assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r),
                         200);
        assert_string_equal(
            apitest_jstr(match_row(r.json, "hnte-tax"), "outcome"), "not");
        assert_true(reasons_have(match_row(r.json, "hnte-tax"), "有效期"));
        apiresp_release(&r);
        snprintf(url, sizeof url,
                 "/api/v1/policy-items/%lld/candidates?year=2024",
                 (long long)item_id(f, "hnte-tax"));
        assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r),
                         200);
        assert_int_equal(apitest_jint(r.json, "total"), 0);
        apiresp_release(&r);
    }
    apitest_login(f->t, "agent_a", "Agent12345");
    expect_error(f, "POST", "/api/v1/policies/1/items",
                 "{\"code\": \"extra2\", \"title\": \"新条款\", "
                 "\"amount_kind\": \"fixed\", \"amount_wan\": \"3\", "
                 "\"budget_line\": \"x\"}",
                 403, NULL);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
}

/* The budget sandbox: thresholds (through the rule text), rates, caps and
 * amounts; gains, losses, costs and units; saved scenarios; refusals. */
static void test_sandbox(void **state)
{
    Fx *f = *state;
    int64_t rd = item_id(f, "rd-subsidy"), first = item_id(f, "hnte-first");
    char url[128], *rule, *body;
    const char *p;
    json_t *b;
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/sandbox",
             (long long)rd);
    /* rate 10% -> 5%: e1's 80 万 becomes 40 万 */
    assert_int_equal(apitest_request(f->t, "POST", url,
                                     "{\"year\": 2024, \"changes\": "
                                     "{\"rate\": \"5%\"}}",
                                     NULL, &r),
                     200);
    assert_int_equal(apitest_jint(json_object_get(r.json, "before"), "cost"),
                     800000);
    assert_int_equal(apitest_jint(json_object_get(r.json, "after"), "cost"),
                     400000);
    assert_int_equal(apitest_jint(r.json, "delta_cost"), -400000);
    assert_int_equal(apitest_jint(r.json, "amount_changed"), 1);
    assert_int_equal(apitest_jint(r.json, "n_lost"), 0);
    apiresp_release(&r);
    /* the threshold 100 万 -> 1000 万 through the rule text: e1 loses */
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld", (long long)rd);
    assert_int_equal(apitest_request(f->t, "GET", url, NULL, NULL, &r), 200);
    p = apitest_jstr(r.json, "rule_text");
    rule = calloc(1, strlen(p) + 16);
    {
        const char *at = strstr(p, ">= 100万");

        assert_non_null(at);
        memcpy(rule, p, (size_t)(at - p));
        strcat(rule, ">= 1000万");
        strcat(rule, at + strlen(">= 100万"));
    }
    apiresp_release(&r);
    b = json_pack("{s:i,s:{s:s},s:s}", "year", 2024, "changes", "rule_text",
                  rule, "name", "门槛提高到1000万");
    body = json_dumps(b, 0);
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/sandbox",
             (long long)rd);
    assert_int_equal(apitest_request(f->t, "POST", url, body, NULL, &r), 201);
    assert_int_equal(apitest_jint(r.json, "n_lost"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "lost"), 0),
                     "enterprise_id"),
        f->e1);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "after"), "qualified"), 0);
    apiresp_release(&r);
    free(body);
    free(rule);
    json_decref(b);
    /* a fixed amount 20 -> 30 万: two enterprises, two units */
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/sandbox",
             (long long)first);
    assert_int_equal(apitest_request(f->t, "POST", url,
                                     "{\"year\": 2024, \"name\": \"奖励提高\", "
                                     "\"changes\": {\"amount_wan\": \"30\"}}",
                                     NULL, &r),
                     201);
    assert_int_equal(apitest_jint(json_object_get(r.json, "before"), "cost"),
                     400000);
    assert_int_equal(apitest_jint(json_object_get(r.json, "after"), "cost"),
                     600000);
    assert_int_equal(json_array_size(json_object_get(r.json, "units")), 2);
    apiresp_release(&r);
    /* refusals: nothing saved */
    expect_error(f, "POST", url,
                 "{\"year\": 2024, \"name\": \"x\", \"changes\": "
                 "{\"amount_wan\": \"-1\"}}",
                 400, "负");
    expect_error(f, "POST", url,
                 "{\"year\": 2024, \"changes\": {\"rate\": \"5%\"}}", 400,
                 "不是按比例");
    expect_error(f, "POST", url,
                 "{\"year\": 2024, \"changes\": {\"rule_text\": "
                 "\"ruleset x\\npass = = 1\"}}",
                 400, NULL);
    /* saved scenarios, side by side */
    assert_int_equal(apitest_request(f->t, "GET", "/api/v1/policy-scenarios",
                                     NULL, NULL, &r),
                     200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/policy-scenarios?format=csv",
                                     NULL, NULL, &r),
                     200);
    assert_non_null(strstr(r.body, "门槛提高到1000万"));
    apiresp_release(&r);
    /* the agent may not run the sandbox */
    apitest_login(f->t, "agent_a", "Agent12345");
    expect_error(f, "POST", url,
                 "{\"year\": 2024, \"changes\": {\"amount_wan\": \"30\"}}", 403,
                 NULL);
    apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD);
}

/* Approve an application through both reviews (as admin). */
static void approve(Fx *f, int64_t app)
{
    char url[96];

    snprintf(url, sizeof url, "/api/v1/policy-applications/%lld/review",
             (long long)app);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"stage\": \"street\", \"decision\": "
                                    "\"approve\"}"),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"stage\": \"bureau\", \"decision\": "
                                    "\"approve\"}"),
                     200);
}

static int64_t apply(Fx *f, const char *code, const char *claimed)
{
    char body[256];
    ApiResp r;
    int64_t id;

    snprintf(body, sizeof body,
             "{\"item_id\": %lld, \"enterprise_id\": %lld, \"year\": 2024, "
             "\"claimed_wan\": \"%s\"}",
             (long long)item_id(f, code), (long long)f->e1, claimed);
    apitest_request(f->t, "POST", "/api/v1/policy-applications", body, NULL,
                    &r);
    if (r.status != 201) {
        fail_msg("apply %s: %d %s", code, r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

/* A payment that breaks a stacking rule (the items were put in one group
 * after both were approved) or a yearly cap is refused with the reason,
 * and nothing is written. */
static void test_payment_stacking(void **state)
{
    Fx *f = *state;
    int64_t a1, a2, n0;
    char body[512];
    Err e;

    a1 = apply(f, "loan-interest", "40");      /* 20 万 */
    a2 = apply(f, "innovation-voucher", "30"); /* 10 万 (capped) */
    approve(f, a1);
    approve(f, a2);
    snprintf(body, sizeof body,
             "{\"title\": \"公示\", \"start_on\": \"2024-06-01\", "
             "\"end_on\": \"2024-06-07\", \"application_ids\": [%lld, %lld]}",
             (long long)a1, (long long)a2);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/policy-notices", body), 201);
    assert_int_equal(apitest_status(f->t, "PUT", "/api/v1/policy-budgets",
                                    "{\"line\": \"上市扶持\", \"year\": "
                                    "2024, \"amount_wan\": \"100\"}"),
                     200);
    assert_int_equal(apitest_status(f->t, "PUT", "/api/v1/policy-budgets",
                                    "{\"line\": \"科技创新券\", \"year\": "
                                    "2024, \"amount_wan\": \"100\"}"),
                     200);
    snprintf(body, sizeof body,
             "{\"title\": \"贴息\", \"paid_on\": \"2024-06-10\", "
             "\"voucher_no\": \"V1\", \"total_wan\": \"20\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"20\"}]}",
             (long long)a1);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/policy-batches", body), 201);
    /* the two items become one 同一事项 group after the fact */
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE policy_items SET stack_group = 'g', "
                               "stack_rule = 'exclusive' WHERE code IN "
                               "('loan-interest', 'innovation-voucher')",
                               ""),
                     0);
    n0 = count(f, "SELECT count(*) FROM policy_payments");
    snprintf(body, sizeof body,
             "{\"title\": \"创新券\", \"paid_on\": \"2024-06-10\", "
             "\"voucher_no\": \"V2\", \"total_wan\": \"10\", \"rows\": "
             "[{\"application_id\": %lld, \"amount_wan\": \"10\"}]}",
             (long long)a2);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 400,
                 "同一事项不重复享受");
    assert_int_equal(count(f, "SELECT count(*) FROM policy_payments"), n0);
    /* back apart: the yearly cap (10 万) still bounds the voucher */
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE policy_items SET stack_group = NULL, "
                               "stack_rule = NULL, year_cap = 50000 WHERE "
                               "code = 'innovation-voucher'",
                               ""),
                     0);
    expect_error(f, "POST", "/api/v1/policy-batches", body, 400,
                 "每家每年上限");
    assert_int_equal(count(f, "SELECT count(*) FROM policy_payments"), n0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_match_enterprise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates_batch_agrees, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_entitled_to_payment, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_applications, setup, teardown),
        cmocka_unit_test_setup_teardown(test_district_dump_and_kept_counts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_district_snapshot_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_district_snapshot_checked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_district_snapshot_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_district_chunks_agree, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pool_lists_and_items, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sandbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payment_stacking, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
