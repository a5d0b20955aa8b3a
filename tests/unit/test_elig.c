/* test_elig.c - the library -> rule input mapping (elig_load_input), the
 * walk (elig_each), declarations, screening into decisions, the decision
 * list / summary and cancellation, on a fresh migrated database per test.
 *
 * Mapping tests are differential: an enterprise with one source row is
 * loaded and compared (rule_input_hash) with the input of an enterprise
 * without it, changed by hand in the one field the row should set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/uscc.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/org.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/decl.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_decisions.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/elig_screen.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/snapshot.h"
#include "domain/jobs/job.h"
#include "domain/library/ent.h"
#include "rules/field.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;
    Actor agent_a;
    int64_t root, street_a, street_b;
    int next;
} Fixture;

#define AS_OF "2026-06-30"

static Date day(const char *s)
{
    Date d = 0;
    Err e;

    assert_int_equal(date_parse(s, &d, "d", &e), 0);
    return d;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    OrgInput oi;
    Err e;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_elig_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    testdb_use(f->path, sizeof f->path, f->dir);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    actor_init_system(&f->sys);
    assert_int_equal(org_create_root(f->db, &f->sys, "河东区", &f->root, &e),
                     0);
    memset(&oi, 0, sizeof oi);
    oi.parent_id = f->root;
    oi.kind = "subdistrict";
    oi.name = "大王庄街道";
    assert_int_equal(org_create(f->db, &f->sys, &oi, &f->street_a, &e), 0);
    oi.name = "大直沽街道";
    assert_int_equal(org_create(f->db, &f->sys, &oi, &f->street_b, &e), 0);
    f->agent_a = f->sys;
    f->agent_a.user_id = 0;
    f->agent_a.role = ROLE_AGENT;
    assert_int_equal(org_path(f->db, f->street_a, f->agent_a.unit_path,
                              sizeof f->agent_a.unit_path, NULL, &e),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char p[160];

    job_wait_all(1);
    db_close(f->db);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s.snapshot", f->path);
    unlink(p);
    testdb_drop(f->path);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Plain SQL, as no part of kechuang writes: no audit entry, so the saved
 * library snapshot cannot know the data changed; it is removed. */
static void exec(Fixture *f, const char *sql)
{
    char *p;
    Err e;

    if (db_exec(f->db, sql, &e) != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
    p = snapshot_path_for(db_location(f->db));
    if (p) {
        unlink(p);
    }
    free(p);
}

static int64_t count(Fixture *f, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->db, &n, &e, sql, ""), 0);
    return n;
}

/* A bare enterprise in unit with USCC prefix (8 characters: authority,
 * type, division) and a running number. */
static int64_t add_ent_prefix(Fixture *f, int64_t unit, const char *prefix8,
                              const char *extra_cols, const char *extra_vals)
{
    char code[USCC_LEN + 1], head[32], sql[1024];
    int64_t id = 0;
    Err e;

    f->next++;
    snprintf(head, sizeof head, "%.8sMA%07d", prefix8, f->next % 10000000);
    memcpy(code, head, 17);
    code[17] = uscc_check_char(head);
    code[18] = '\0';
    snprintf(sql, sizeof sql,
             "INSERT INTO enterprises (uscc, name, unit_id, src_at, "
             "created_at, updated_at%s) VALUES ('%s', '企业%d', %lld, "
             "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
             "'2026-01-01T00:00:00Z'%s)",
             extra_cols ? extra_cols : "", code, f->next, (long long)unit,
             extra_vals ? extra_vals : "");
    exec(f, sql);
    assert_int_equal(
        db_query_int64(f->db, &id, &e,
                       "SELECT id FROM enterprises WHERE uscc = $1", "t", code),
        0);
    return id;
}

static int64_t add_ent(Fixture *f)
{
    return add_ent_prefix(f, f->street_a, "91120102", NULL, NULL);
}

static RuleInput *load(Fixture *f, int64_t id, const char *as_of)
{
    RuleInput *in = NULL;
    Err e;

    if (elig_load_input(f->db, id, day(as_of), &in, &e) != 0) {
        fail_msg("load %lld: %s", (long long)id, e.msg);
    }
    return in;
}

static int fid(const char *name)
{
    int id = rule_field_find(name);

    assert_true(id >= 0);
    return id;
}

static void set(RuleInput *in, const char *name, int64_t v)
{
    Err e;

    assert_int_equal(rule_input_set(in, fid(name), v, &e), 0);
}

static void assert_same(const RuleInput *a, const RuleInput *b)
{
    char ha[65], hb[65];

    rule_input_hash(a, ha);
    rule_input_hash(b, hb);
    assert_string_equal(ha, hb);
}

/* Input of a bare enterprise at as_of (the differential baseline). */
static RuleInput *baseline(Fixture *f, const char *as_of)
{
    return load(f, add_ent(f), as_of);
}

/* Add a fact row to id. */
static void fact(Fixture *f, int64_t id, const char *kind, const char *sub,
                 const char *level, const char *rank, const char *amount,
                 const char *title, const char *occurred,
                 const char *valid_from, const char *valid_to)
{
    char sql[1024];

#define Q(x) (x) ? "'" : "", (x) ? (x) : "NULL", (x) ? "'" : ""
    snprintf(sql, sizeof sql,
             "INSERT INTO enterprise_facts (enterprise_id, kind, subkind, "
             "level, rank, amount, title, occurred_on, valid_from, valid_to, "
             "src_at, created_at, updated_at) VALUES (%lld, '%s', %s%s%s, "
             "%s%s%s, %s, %s, %s%s%s, %s%s%s, %s%s%s, %s%s%s, 'x', 'x', 'x')",
             (long long)id, kind, Q(sub), Q(level), rank ? rank : "NULL",
             amount ? amount : "NULL", Q(title), Q(occurred), Q(valid_from),
             Q(valid_to));
#undef Q
    exec(f, sql);
}

static void test_record_mapping(void **state)
{
    Fixture *f = *state;
    int64_t id = add_ent_prefix(f, f->street_a, "91120102",
                                ", established_on, tech_domain, "
                                "listing_status",
                                ", '2020-02-29', 3, 'listed'");
    int64_t bj = add_ent_prefix(f, f->street_a, "91110108", NULL, NULL);
    int64_t inst = add_ent_prefix(f, f->street_a, "12120102", NULL, NULL);
    RuleInput *base = baseline(f, AS_OF);
    RuleInput *a = load(f, id, AS_OF), *x;
    RuleInput *in = NULL;
    Err e;

    assert_int_equal(rule_input_year(a), 2026);
    assert_int_equal(elig_year(day("2026-01-01")), 2026);
    x = rule_input_clone(base);
    set(x, "established", day("2020-02-29"));
    set(x, "tech_domain", 3);
    set(x, "listed", 1);
    assert_same(a, x);
    rule_input_free(x);
    rule_input_free(a);

    /* a Beijing enterprise: resident, not Tianjin */
    a = load(f, bj, AS_OF);
    x = rule_input_clone(base);
    set(x, "tianjin", 0);
    assert_same(a, x);
    rule_input_free(x);
    rule_input_free(a);

    /* a public institution in Tianjin: neither derivable -> missing */
    a = load(f, inst, AS_OF);
    x = rule_input_clone(base);
    rule_input_unset(x, fid("resident"));
    rule_input_unset(x, fid("tianjin"));
    assert_same(a, x);
    rule_input_free(x);
    rule_input_free(a);
    rule_input_free(base);

    assert_int_equal(elig_load_input(f->db, 99999, day(AS_OF), &in, &e),
                     ERR_NOTFOUND);
    assert_null(in);
}

static void test_years_window(void **state)
{
    Fixture *f = *state;
    int64_t id = add_ent(f);
    RuleInput *base = baseline(f, AS_OF), *a, *x;
    char sql[512];
    Err e;

    /* 2019 is the oldest year of an evaluation in 2026; 2018 and 2027
     * are outside; NULL stays missing */
    for (int y = 2018; y <= 2027; y++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO enterprise_years (enterprise_id, year, "
                 "employees, tech_staff, sales_revenue, src_at, created_at, "
                 "updated_at) VALUES (%lld, %d, %d, NULL, %d, 'x', 'x', 'x')",
                 (long long)id, y, 100 + y - 2018, 1000000 * (y - 2017));
        exec(f, sql);
    }
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    for (int y = 2019; y <= 2026; y++) {
        assert_int_equal(
            rule_input_set_year(x, fid("employees"), y, 100 + y - 2018, &e), 0);
        assert_int_equal(rule_input_set_year(x, fid("sales_revenue"), y,
                                             1000000 * (y - 2017), &e),
                         0);
    }
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);
    rule_input_free(base);
}

/* An IP right; granted NULL and main_product -1 leave those cells blank. */
static void ip(Fixture *f, int64_t id, int n, int klass, const char *status,
               const char *granted, const char *expires, int main_product,
               const char *retired)
{
    char sql[1024], mp[8];

    snprintf(mp, sizeof mp, "%d", main_product);
    snprintf(sql, sizeof sql,
             "INSERT INTO ip_rights (enterprise_id, kind, klass, number, "
             "title, granted_on, expires_on, status, main_product, "
             "retired_at, src_at, created_at, updated_at) VALUES (%lld, "
             "'%s', %d, 'N%d', 't', %s%s%s, %s%s%s, '%s', %s, %s%s%s, 'x', "
             "'x', 'x')",
             (long long)id, klass == 1 ? "invention" : "utility", klass, n,
             granted ? "'" : "", granted ? granted : "NULL", granted ? "'" : "",
             expires ? "'" : "", expires ? expires : "NULL", expires ? "'" : "",
             status, main_product < 0 ? "NULL" : mp, retired ? "'" : "",
             retired ? retired : "NULL", retired ? "'" : "");
    exec(f, sql);
}

static void bounds(RuleInput *in, const char *name, int64_t lo, int64_t hi)
{
    Err e;

    assert_int_equal(rule_input_set_bounds(in, fid(name), lo, hi, &e), 0);
}

static void test_ip_rights(void **state)
{
    Fixture *f = *state;
    int64_t id = add_ent(f), none = add_ent(f);
    RuleInput *base = baseline(f, AS_OF), *a, *x;

    /* counted: valid, expiring on the as-of date, main product */
    ip(f, id, 1, 1, "valid", "2020-01-01", AS_OF, 1, NULL);
    /* not counted: expired the day before, lapsed, granted after as_of,
     * not the main product, retired */
    ip(f, id, 2, 1, "valid", "2020-01-01", "2026-06-29", 1, NULL);
    ip(f, id, 3, 1, "lapsed", "2020-01-01", NULL, 1, NULL);
    ip(f, id, 4, 1, "valid", "2026-07-01", NULL, 1, NULL);
    ip(f, id, 5, 1, "valid", "2020-01-01", NULL, 0, NULL);
    ip(f, id, 6, 1, "valid", "2020-01-01", NULL, 1, "2026-01-01T00:00:00Z");
    /* two class-Ⅱ, one used in the 2024 application */
    ip(f, id, 7, 2, "valid", "2021-01-01", NULL, 1, NULL);
    ip(f, id, 8, 2, "valid", "2021-01-01", NULL, 1, NULL);
    exec(f, "UPDATE ip_rights SET hnte_year = 2024 WHERE number = 'N8'");
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    set(x, "ip1", 1);
    set(x, "ip1_self", 1);
    set(x, "ip2", 2);
    set(x, "ip2_unused", 1);
    /* 有效期内 counts ignore the main product (N5 counts); ip_self counts
     * the self-developed among ip1 and ip2_unused (N1, N7) */
    set(x, "ip1_all", 2);
    set(x, "ip2_all", 2);
    set(x, "ip_self", 2);
    /* no high-value / applied flags in the library: missing, at most
     * ip1 */
    bounds(x, "ip1_high", 0, 1);
    bounds(x, "ip1_applied", 0, 1);
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);

    /* blank cells are not known, never 否 or 已授权: a class-Ⅰ right with
     * 用于主要产品 blank may count (ip1 1..2); one with 授权日期 blank may
     * not be granted by the as-of date (ip1_all 2..3, and ip1 1..3) */
    ip(f, id, 9, 1, "valid", "2020-01-01", NULL, -1, NULL);
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    bounds(x, "ip1", 1, 2);
    bounds(x, "ip1_self", 1, 2);
    set(x, "ip2", 2);
    set(x, "ip2_unused", 1);
    set(x, "ip1_all", 3);
    set(x, "ip2_all", 2);
    bounds(x, "ip_self", 2, 3);
    bounds(x, "ip1_high", 0, 2);
    bounds(x, "ip1_applied", 0, 2);
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);
    ip(f, id, 10, 1, "valid", NULL, NULL, 1, NULL);
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    bounds(x, "ip1", 1, 3);
    bounds(x, "ip1_self", 1, 3);
    set(x, "ip2", 2);
    set(x, "ip2_unused", 1);
    bounds(x, "ip1_all", 3, 4);
    set(x, "ip2_all", 2);
    bounds(x, "ip_self", 2, 4);
    bounds(x, "ip1_high", 0, 3);
    bounds(x, "ip1_applied", 0, 3);
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);

    /* without rights everything is 0, never missing */
    a = load(f, none, AS_OF);
    assert_same(a, base);
    rule_input_free(a);
    rule_input_free(base);
}

/* One fact on a fresh enterprise must equal the baseline with field=v
 * (v < 0: field missing). */
static void fact_case(Fixture *f, const RuleInput *base, const char *kind,
                      const char *sub, const char *level, const char *rank,
                      const char *amount, const char *title,
                      const char *occurred, const char *from, const char *to,
                      const char *field, int64_t v, const char *field2,
                      int64_t v2)
{
    int64_t id = add_ent(f);
    RuleInput *a, *x;

    fact(f, id, kind, sub, level, rank, amount, title, occurred, from, to);
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    if (field) {
        if (v < 0) {
            rule_input_unset(x, fid(field));
        } else {
            set(x, field, v);
        }
    }
    if (field2) {
        set(x, field2, v2);
    }
    {
        char ha[65], hb[65];

        rule_input_hash(a, ha);
        rule_input_hash(x, hb);
        if (strcmp(ha, hb) != 0) {
            fail_msg("fact %s/%s %s on %s: expected %s = %lld", kind,
                     sub ? sub : "-", level ? level : "-",
                     occurred ? occurred : "-", field ? field : "(none)",
                     (long long)v);
        }
    }
    rule_input_free(a);
    rule_input_free(x);
}

static const char *fact_kind = "credit_flag";

/* One dated fact of kind fact_kind on a fresh enterprise must equal the
 * baseline with the listed fields set: name, value pairs ending in NULL. */
static void dated_case(Fixture *f, const RuleInput *base, const char *sub,
                       const char *occurred, const char *from, const char *to,
                       ...)
{
    int64_t id = add_ent(f);
    RuleInput *a, *x;
    char ha[65], hb[65];
    const char *name;
    va_list ap;

    fact(f, id, fact_kind, sub, NULL, NULL, NULL, NULL, occurred, from, to);
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    va_start(ap, to);
    while ((name = va_arg(ap, const char *)) != NULL) {
        set(x, name, va_arg(ap, int));
    }
    va_end(ap);
    rule_input_hash(a, ha);
    rule_input_hash(x, hb);
    if (strcmp(ha, hb) != 0) {
        fail_msg("fact %s/%s occurred %s from %s to %s: other fields",
                 fact_kind, sub, occurred ? occurred : "-", from ? from : "-",
                 to ? to : "-");
    }
    rule_input_free(a);
    rule_input_free(x);
}

static void test_fact_windows(void **state)
{
    Fixture *f = *state;
    RuleInput *base = baseline(f, AS_OF);

    /* national award, rank 2: exactly 3 years before as_of is inside
     * "近三年", one day earlier only inside "近五年" */
    {
        int64_t id = add_ent(f);
        RuleInput *a, *x;

        fact(f, id, "award", "second", "national", "2", NULL, NULL,
             "2023-06-30", NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        set(x, "award_national_top3_5y", 1);
        set(x, "award_national_top3_3y", 1);
        set(x, "award_national_top5_3y", 1);
        set(x, "award_3y", 1);
        set(x, "award_ever", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);

        id = add_ent(f);
        fact(f, id, "award", "second", "national", "2", NULL, NULL,
             "2023-06-29", NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        set(x, "award_national_top3_5y", 1);
        set(x, "award_ever", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);

        /* rank 4: top 5 only; a rank not recorded: top-N unknown */
        id = add_ent(f);
        fact(f, id, "award", "first", "national", "4", NULL, NULL, "2025-01-01",
             NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        set(x, "award_national_top5_3y", 1);
        set(x, "award_3y", 1);
        set(x, "award_ever", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);

        id = add_ent(f);
        fact(f, id, "award", "first", "provincial", NULL, NULL, NULL,
             "2025-01-01", NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        rule_input_unset(x, fid("award_provincial_top3_3y"));
        set(x, "award_3y", 1);
        set(x, "award_ever", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);

        /* an award after the as-of date does not count */
        id = add_ent(f);
        fact(f, id, "award", "first", "national", "1", NULL, NULL, "2026-07-01",
             NULL, NULL);
        a = load(f, id, AS_OF);
        assert_same(a, base);
        rule_input_free(a);
    }
    /* credit flags: abnormal_list / serious_illegal = listed at as_of
     * (valid_to on or after it); *_py = listed at some time from
     * 1 January of the previous year (2025-01-01) to as_of */
    dated_case(f, base, "abnormal_operation", "2025-01-01", NULL, AS_OF,
               "abnormal_list", 1, "abnormal_list_py", 1, NULL);
    dated_case(f, base, "abnormal_operation", "2025-01-01", NULL, "2026-06-29",
               "abnormal_list_py", 1, NULL);
    /* listed in March of the previous year, removed in December: not
     * listed at as_of, but listed during "上一会计年度及当年" */
    dated_case(f, base, "abnormal_operation", NULL, "2025-03-01", "2025-12-31",
               "abnormal_list_py", 1, NULL);
    /* removed before the window */
    dated_case(f, base, "serious_illegal", "2020-03-01", NULL, "2024-12-31",
               NULL);
    dated_case(f, base, "serious_illegal", "2026-06-30", NULL, NULL,
               "serious_illegal", 1, "serious_illegal_py", 1, NULL);
    /* 科研严重失信 is an act "发生" in the previous or the current year:
     * its date (occurred_on, else the listing decision valid_from) counts,
     * not whether it is still listed */
    dated_case(f, base, "research_misconduct", "2026-07-01", NULL, NULL, NULL);
    dated_case(f, base, "research_misconduct", "2020-07-01", NULL, NULL, NULL);
    dated_case(f, base, "research_misconduct", "2025-03-01", "2025-03-01",
               "2025-12-31", "dishonest", 1, NULL);
    dated_case(f, base, "research_misconduct", NULL, "2025-02-01", NULL,
               "dishonest", 1, NULL);
    dated_case(f, base, "research_misconduct", "2024-12-31", "2024-12-31", NULL,
               NULL);
    /* incidents: "上一年及当年" from 1 January of the previous year;
     * "申请认定前一年内" (incident_1y) the 12 months before as_of */
    fact_kind = "incident";
    dated_case(f, base, "safety", "2025-01-01", NULL, NULL, "incident", 1,
               NULL);
    dated_case(f, base, "safety", "2025-06-30", NULL, NULL, "incident", 1,
               "incident_1y", 1, NULL);
    dated_case(f, base, "safety", "2025-06-29", NULL, NULL, "incident", 1,
               NULL);
    dated_case(f, base, "safety", "2024-12-31", NULL, NULL, NULL);
    fact_kind = "credit_flag";
    /* R&D institutions: provincial counts for both, municipal for "any" */
    fact_case(f, base, "rd_institution", NULL, "provincial", NULL, NULL, NULL,
              "2022-01-01", NULL, NULL, "rd_institution", 1,
              "rd_institution_any", 1);
    fact_case(f, base, "rd_institution", NULL, "municipal", NULL, NULL, NULL,
              "2022-01-01", NULL, NULL, "rd_institution_any", 1, NULL, 0);
    fact_case(f, base, "rd_institution", NULL, "national", NULL, NULL, NULL,
              "2022-01-01", NULL, "2026-06-29", NULL, 0, NULL, 0);
    /* standards: led national within 5 years; a group standard only
     * "joined" */
    fact_case(f, base, "standard", "national", NULL, NULL, NULL, NULL,
              "2021-06-30", NULL, NULL, "led_standard_5y", 1, "joined_standard",
              1);
    fact_case(f, base, "standard", "national", NULL, NULL, NULL, NULL,
              "2021-06-29", NULL, NULL, "joined_standard", 1, NULL, 0);
    fact_case(f, base, "standard", "group", NULL, NULL, NULL, NULL,
              "2025-06-29", NULL, NULL, "joined_standard", 1, NULL, 0);
    /* software certificates valid at as_of */
    fact_case(f, base, "software_cert", "software_enterprise", NULL, NULL, NULL,
              NULL, NULL, "2024-01-01", AS_OF, "software_cert", 1, NULL, 0);
    fact_case(f, base, "software_cert", "software_product", NULL, NULL, NULL,
              NULL, NULL, "2021-01-01", "2026-06-29", NULL, 0, NULL, 0);
    /* competitions: provincial 三等奖 counts, provincial 优秀奖 not */
    fact_case(f, base, "competition", "third", "provincial", NULL, NULL, NULL,
              "2024-05-01", NULL, NULL, "competition_award", 1, NULL, 0);
    fact_case(f, base, "competition", "excellent", "provincial", NULL, NULL,
              NULL, "2024-05-01", NULL, NULL, NULL, 0, NULL, 0);
    /* 创客中国 national, rank 40: top 50 and top 500 within 3 years */
    {
        int64_t id = add_ent(f);
        RuleInput *a, *x;

        fact(f, id, "competition", "excellent", "national", "40", NULL,
             "“创客中国”中小企业创新创业大赛", "2024-05-01", NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        set(x, "competition_award", 1);
        set(x, "maker_top500_3y", 1);
        set(x, "maker_top50_3y", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);
    }
    /* financing: the largest amount; private equity */
    {
        int64_t id = add_ent(f);
        RuleInput *a, *x;

        fact(f, id, "financing", NULL, NULL, NULL, "3000000", NULL,
             "2022-01-01", NULL, NULL);
        fact(f, id, "financing", NULL, NULL, NULL, "800000", NULL, "2023-01-01",
             NULL, NULL);
        fact(f, id, "financing", NULL, NULL, NULL, "90000000", NULL,
             "2026-07-01", NULL, NULL);
        a = load(f, id, AS_OF);
        x = rule_input_clone(base);
        set(x, "vc_single_max", 3000000);
        set(x, "private_equity", 1);
        assert_same(a, x);
        rule_input_free(a);
        rule_input_free(x);
    }
    fact_case(f, base, "financing", NULL, NULL, NULL, NULL, NULL, "2022-01-01",
              NULL, NULL, "vc_single_max", -1, "private_equity", 1);
    /* projects: national or provincial, ever */
    fact_case(f, base, "project", NULL, "provincial", NULL, NULL, NULL,
              "2010-01-01", NULL, NULL, "sci_project", 1, NULL, 0);
    fact_case(f, base, "project", NULL, "district", NULL, NULL, NULL,
              "2025-01-01", NULL, NULL, NULL, 0, NULL, 0);
    rule_input_free(base);
}

static void test_declarations(void **state)
{
    Fixture *f = *state;
    int64_t id = add_ent(f);
    RuleInput *base = baseline(f, AS_OF), *a, *x;
    Err e;

    assert_int_equal(decl_put_raw(f->db, id, "hnte_cert", 0, 1, "2024-01-01",
                                  "2026-06-30", 1, "user", "x", &e),
                     0);
    assert_int_equal(decl_put_raw(f->db, id, "accounting_sound", 0, 1, NULL,
                                  NULL, 0, "user", "x", &e),
                     0);
    assert_int_equal(decl_put_raw(f->db, id, "valuation_usd", 0, 150000000,
                                  NULL, "2025-12-31", 0, "user", "x", &e),
                     0);
    assert_int_equal(decl_put_raw(f->db, id, "conversions", 2025, 4, NULL, NULL,
                                  0, "user", "x", &e),
                     0);
    a = load(f, id, AS_OF);
    x = rule_input_clone(base);
    set(x, "hnte_cert", 1);
    set(x, "innovation_honor", 1); /* derived from the certificate */
    set(x, "accounting_sound", 1);
    assert_int_equal(rule_input_set_year(x, fid("conversions"), 2025, 4, &e),
                     0);
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);

    /* a day later the certificate has expired: 否, honour not derived */
    a = load(f, id, "2026-07-01");
    {
        RuleInput *b = baseline(f, "2026-07-01");

        x = rule_input_clone(b);
        rule_input_free(b);
    }
    set(x, "hnte_cert", 0);
    set(x, "accounting_sound", 1);
    assert_int_equal(rule_input_set_year(x, fid("conversions"), 2025, 4, &e),
                     0);
    assert_same(a, x);
    rule_input_free(a);
    rule_input_free(x);
    rule_input_free(base);
}

/* Evaluate id with rule set rsid at AS_OF. */
static RuleResult *eval_one(Fixture *f, int64_t id, const char *rsid)
{
    const RuleSet *rs = NULL;
    RuleInput *in = load(f, id, AS_OF);
    RuleResult *r = NULL;
    int n = 0;
    Err e;

    assert_int_equal(elig_rulesets(day(AS_OF), rsid, "ruleset", &rs, 1, &n, &e),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(rule_eval(rs, in, &r, &e), 0);
    rule_input_free(in);
    return r;
}

/* Does some row's missing text contain s? */
static int missing_has(const RuleResult *r, const char *s)
{
    for (int i = 0; i < rule_result_n_rows(r); i++) {
        RuleRow w;

        rule_result_row(r, i, &w);
        if (strstr(w.missing, s)) {
            return 1;
        }
    }
    return 0;
}

/* A complete 高企 candidate (2023-2025 figures), ready for variations. */
static int64_t add_hnte_candidate(Fixture *f, int64_t unit,
                                  const char *sales_2025)
{
    int64_t id =
        add_ent_prefix(f, unit, "91120102", ", established_on, tech_domain",
                       ", '2015-03-01', 1");
    char sql[1024];

    for (int y = 2023; y <= 2025; y++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO enterprise_years (enterprise_id, year, "
                 "employees, tech_staff, rd_staff, sales_revenue, "
                 "total_revenue, main_revenue, hitech_income, rd_expense, "
                 "rd_domestic, total_assets, total_liabilities, net_profit, "
                 "src_at, created_at, updated_at) VALUES (%lld, %d, 100, 30, "
                 "20, %s, 30000000, 28000000, 25000000, 2500000, 2400000, "
                 "%d, 10000000, 2000000, 'x', 'x', 'x')",
                 (long long)id, y, y == 2025 ? sales_2025 : "30000000",
                 20000000 + (y - 2023) * 5000000);
        exec(f, sql);
    }
    snprintf(sql, sizeof sql,
             "UPDATE enterprise_years SET total_revenue = 30000000 WHERE "
             "enterprise_id = %lld",
             (long long)id);
    exec(f, sql);
    ip(f, id, 100 + (int)id, 1, "valid", "2019-01-01", NULL, 1, NULL);
    assert_int_equal(decl_put_raw(f->db, id, "conversions", 2023, 2, NULL, NULL,
                                  0, "user", "x", NULL),
                     0);
    assert_int_equal(decl_put_raw(f->db, id, "conversions", 2024, 2, NULL, NULL,
                                  0, "user", "x", NULL),
                     0);
    assert_int_equal(decl_put_raw(f->db, id, "conversions", 2025, 3, NULL, NULL,
                                  0, "user", "x", NULL),
                     0);
    return id;
}

static void test_missing_and_zero(void **state)
{
    Fixture *f = *state;
    int64_t ok = add_hnte_candidate(f, f->street_a, "30000000");
    int64_t zero = add_hnte_candidate(f, f->street_a, "0");
    int64_t miss = add_hnte_candidate(f, f->street_a, "NULL");
    RuleResult *r;

    r = eval_one(f, ok, "hnte-2016");
    assert_int_equal(rule_result_verdict(r), RULE_V_EXPERT);
    rule_result_free(r);

    /* sales of the last year unknown: 缺数据 naming it */
    r = eval_one(f, miss, "hnte-2016");
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    assert_true(missing_has(r, "销售收入[2025]"));
    rule_result_free(r);

    /* sales of zero: the growth rate divides by it -> 缺数据, not a
     * score, naming the zero field */
    r = eval_one(f, zero, "hnte-2016");
    assert_int_not_equal(rule_result_verdict(r), RULE_V_MET);
    assert_true(missing_has(r, "销售收入"));
    rule_result_free(r);
}

static void test_conflict(void **state)
{
    Fixture *f = *state;
    int64_t id = add_hnte_candidate(f, f->street_a, "30000000");
    const char *const only[] = {"hnte-2016"};
    char sql[256];
    json_t *counts = NULL;
    RuleResult *r;
    Err e;

    snprintf(sql, sizeof sql,
             "UPDATE enterprise_years SET tech_staff = 120 WHERE "
             "enterprise_id = %lld AND year = 2025",
             (long long)id);
    exec(f, sql);
    r = eval_one(f, id, "hnte-2016");
    assert_int_equal(rule_result_verdict(r), RULE_V_CONFLICT);
    assert_true(missing_has(r, "科技人员数[2025]"));
    assert_true(missing_has(r, "职工总数[2025]"));
    rule_result_free(r);

    /* stored without a score */
    assert_int_equal(elig_screen(f->db, &f->sys, only, 1, day(AS_OF), NULL,
                                 NULL, NULL, &counts, &e),
                     0);
    json_decref(counts);
    {
        DecFilter df;
        json_t *items = NULL, *it;
        int64_t total = 0;
        size_t i;
        int seen = 0;

        memset(&df, 0, sizeof df);
        df.ruleset = "hnte-2016";
        assert_int_equal(elig_filter_check(&df, "conflict", &e), 0);
        assert_int_equal(
            elig_decisions_list(f->db, &f->sys, &df, 0, 20, &items, &total, &e),
            0);
        json_array_foreach(items, i, it)
        {
            if (json_integer_value(json_object_get(it, "enterprise_id")) ==
                id) {
                seen = 1;
                assert_true(json_is_null(json_object_get(it, "score_lo")));
                assert_true(json_is_null(json_object_get(it, "score_hi")));
                assert_non_null(
                    strstr(json_string_value(json_object_get(it, "gaps")),
                           "数据矛盾"));
                assert_false(json_is_true(json_object_get(it, "stale")));
            }
        }
        assert_true(seen);
        json_decref(items);
    }
}

typedef struct EachCheck {
    Fixture *f;
    int n;
    int64_t last;
} EachCheck;

static int each_cb(void *ud, int64_t id, const RuleInput *in,
                   const RuleResult *r, Err *e)
{
    EachCheck *c = ud;
    RuleInput *own = load(c->f, id, AS_OF);
    char ha[65], hb[65];

    (void)e;
    rule_input_hash(in, ha);
    rule_input_hash(own, hb);
    assert_string_equal(ha, hb);
    assert_string_equal(rule_result_input_hash(r), hb);
    assert_true(id > c->last);
    c->last = id;
    c->n++;
    rule_input_free(own);
    return 0;
}

static void test_each_and_hash(void **state)
{
    Fixture *f = *state;
    const RuleSet *rs = NULL;
    EachCheck c = {f, 0, 0};
    RuleInput *a, *b;
    int64_t id;
    int n = 0;
    Err e;

    id = add_hnte_candidate(f, f->street_a, "30000000");
    add_hnte_candidate(f, f->street_b, "30000000");
    {
        char sql[128];

        snprintf(sql, sizeof sql,
                 "UPDATE enterprises SET retired_at = '2024-01-01T00:00:00Z' "
                 "WHERE id = %lld",
                 (long long)add_hnte_candidate(f, f->street_a, "NULL"));
        exec(f, sql);
    }
    fact(f, id, "award", "first", "national", "1", NULL, NULL, "2025-01-01",
         NULL, NULL);
    /* same data, same hash; another as-of date, another hash */
    a = load(f, id, AS_OF);
    b = load(f, id, AS_OF);
    assert_same(a, b);
    rule_input_free(b);
    b = load(f, id, "2026-07-01");
    {
        char ha[65], hb[65];

        rule_input_hash(a, ha);
        rule_input_hash(b, hb);
        assert_string_not_equal(ha, hb);
    }
    rule_input_free(a);
    rule_input_free(b);

    assert_int_equal(elig_rulesets(day(AS_OF), "sme-2022", "r", &rs, 1, &n, &e),
                     0);
    assert_int_equal(
        elig_each(f->db, &f->sys, rs, day(AS_OF), NULL, each_cb, &c, &e), 0);
    assert_int_equal(c.n, 2); /* the retired one is left out */
    c.n = 0;
    c.last = 0;
    assert_int_equal(
        elig_each(f->db, &f->agent_a, rs, day(AS_OF), NULL, each_cb, &c, &e),
        0);
    assert_int_equal(c.n, 1); /* street B is outside the agent's scope */
}

static void test_screen_list_summary(void **state)
{
    Fixture *f = *state;
    int64_t good = add_hnte_candidate(f, f->street_a, "30000000");
    int64_t miss = add_hnte_candidate(f, f->street_a, "NULL");
    int64_t other = add_hnte_candidate(f, f->street_b, "30000000");
    const char *const sets[] = {"hnte-2016", "sme-2022"};
    json_t *counts = NULL, *items = NULL, *sum = NULL, *u;
    int64_t total = 0, audits;
    DecFilter df;
    char sql[256];
    size_t i;
    Err e;

    /* the good candidate misses 60% hitech income in street A */
    snprintf(sql, sizeof sql,
             "UPDATE enterprise_years SET hitech_income = 10000000 WHERE "
             "enterprise_id = %lld",
             (long long)other);
    exec(f, sql);
    audits = count(f, "SELECT COUNT(*) FROM audit_log");
    assert_int_equal(elig_screen(f->db, &f->sys, sets, 2, day(AS_OF), NULL,
                                 NULL, NULL, &counts, &e),
                     0);
    assert_int_equal(count(f, "SELECT COALESCE(SUM(n), 0) FROM decision_sets"),
                     6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), audits + 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'elig.screen'"),
                     1);
    assert_int_equal(json_integer_value(json_object_get(counts, "enterprises")),
                     3);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(counts, "rulesets"), "hnte-2016"),
            "expert")),
        1);
    json_decref(counts);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM decision_runs r JOIN "
                              "decision_rulesets s ON s.id = r.rs_id WHERE "
                              "r.as_of = '2026-06-30' AND r.job_id IS NULL"),
                     2);
    /* every stored row: the enterprise, its unit, the input hash */
    for (i = 0; i < 2; i++) {
        DecCols *c = NULL;

        assert_int_equal(dec_cols_load(f->db, sets[i], DEC_ALL, &c, &e), 0);
        assert_non_null(c);
        assert_int_equal(c->n, 3);
        for (size_t r = 0; r < c->n; r++) {
            RuleInput *in = load(f, c->id[r], AS_OF);
            char hx[65], mine[65];

            rule_input_hash(in, hx);
            for (size_t k = 0; k < 32; k++) {
                snprintf(mine + 2 * k, 3, "%02x", c->hash[r * 32 + k]);
            }
            assert_string_equal(mine, hx);
            assert_int_equal(c->unit[r],
                             c->id[r] == other ? f->street_b : f->street_a);
            rule_input_free(in);
        }
        dec_cols_free(c);
    }

    /* by name: the order of the names in enterprises, paged */
    memset(&df, 0, sizeof df);
    df.ruleset = "hnte-2016";
    df.sort = "name";
    assert_int_equal(elig_filter_check(&df, NULL, &e), 0);
    for (int64_t off = 0; off < 3; off++) {
        int64_t want = -1;
        assert_int_equal(elig_decisions_list(f->db, &f->sys, &df, off, 1,
                                             &items, &total, &e),
                         0);
        assert_int_equal(total, 3);
        assert_int_equal(json_array_size(items), 1);
        assert_int_equal(db_query_int64(f->db, &want, &e,
                                        "SELECT id FROM enterprises WHERE "
                                        "retired_at IS NULL ORDER BY name, "
                                        "id LIMIT 1 OFFSET $1",
                                        "i", off),
                         0);
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(items, 0), "enterprise_id")),
                         want);
        json_decref(items);
    }

    /* closest first: 待专家评审, then 未达标, then 缺数据 */
    memset(&df, 0, sizeof df);
    df.ruleset = "hnte-2016";
    assert_int_equal(elig_filter_check(&df, NULL, &e), 0);
    assert_int_equal(
        elig_decisions_list(f->db, &f->sys, &df, 0, 20, &items, &total, &e), 0);
    assert_int_equal(total, 3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 0), "enterprise_id")),
                     good);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 1), "enterprise_id")),
                     other);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 2), "enterprise_id")),
                     miss);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_array_get(items, 1), "gaps")),
        "高新技术产品"));
    json_decref(items);

    /* verdict filter and the agent's scope */
    assert_int_equal(elig_filter_check(&df, "unmet", &e), 0);
    assert_int_equal(
        elig_decisions_list(f->db, &f->agent_a, &df, 0, 20, &items, &total, &e),
        0);
    assert_int_equal(total, 0);
    json_decref(items);
    assert_int_equal(elig_filter_check(&df, "缺数据", &e), 0);
    assert_int_equal(
        elig_decisions_list(f->db, &f->agent_a, &df, 0, 20, &items, &total, &e),
        0);
    assert_int_equal(total, 1);
    json_decref(items);
    assert_int_equal(elig_filter_check(&df, "bogus", &e), ERR_INVALID);
    assert_string_equal(e.field, "verdict");

    /* counts by street */
    assert_int_equal(elig_decisions_summary(f->db, &f->sys, 0, &sum, &e), 0);
    assert_int_equal(json_array_size(json_object_get(sum, "units")), 2);
    json_array_foreach(json_object_get(sum, "units"), i, u)
    {
        json_t *h =
            json_object_get(json_object_get(u, "rulesets"), "hnte-2016");
        int64_t uid = json_integer_value(json_object_get(u, "unit_id"));

        if (uid == f->street_a) {
            assert_int_equal(json_integer_value(json_object_get(h, "expert")),
                             1);
            assert_int_equal(json_integer_value(json_object_get(h, "unknown")),
                             1);
        } else {
            assert_int_equal(uid, f->street_b);
            assert_int_equal(json_integer_value(json_object_get(h, "unmet")),
                             1);
        }
    }
    json_decref(sum);

    /* a second screening replaces, never duplicates */
    assert_int_equal(elig_screen(f->db, &f->sys, sets, 2, day(AS_OF), NULL,
                                 NULL, NULL, NULL, &e),
                     0);
    assert_int_equal(count(f, "SELECT COALESCE(SUM(n), 0) FROM decision_sets"),
                     6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM decision_rulesets"), 2);

    /* a retired enterprise leaves the list at once and its decisions at
     * the next screening */
    snprintf(sql, sizeof sql,
             "UPDATE enterprises SET retired_at = '2024-01-01T00:00:00Z' WHERE "
             "id = %lld",
             (long long)miss);
    exec(f, sql);
    assert_int_equal(elig_filter_check(&df, NULL, &e), 0);
    assert_int_equal(
        elig_decisions_list(f->db, &f->sys, &df, 0, 20, &items, &total, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    assert_int_equal(elig_screen(f->db, &f->sys, sets, 2, day(AS_OF), NULL,
                                 NULL, NULL, NULL, &e),
                     0);
    assert_int_equal(count(f, "SELECT COALESCE(SUM(n), 0) FROM decision_sets"),
                     4);
    assert_int_equal(
        elig_decisions_list(f->db, &f->sys, &df, 0, 20, &items, &total, &e), 0);
    assert_int_equal(total, 2);
    json_decref(items);

    /* retiring through the domain takes the enterprise out of the lists
     * and counts at once; its rows go at the next screening */
    {
        DecCols *c = NULL;
        int64_t gone;

        assert_int_equal(dec_cols_load(f->db, "hnte-2016", DEC_LIST, &c, &e),
                         0);
        gone = c->id[0];
        dec_cols_free(c);
        assert_int_equal(ent_retire(f->db, &f->sys, gone, "测试注销", &e), 0);
        assert_int_equal(
            count(f, "SELECT COALESCE(SUM(n), 0) FROM decision_sets"), 4);
        assert_int_equal(elig_decisions_summary(f->db, &f->sys, 0, &sum, &e),
                         0);
        json_array_foreach(json_object_get(sum, "units"), i, u)
        {
            json_t *h =
                json_object_get(json_object_get(u, "rulesets"), "hnte-2016");
            int64_t n = 0;
            for (int v = 0; v < 6; v++) {
                static const char *const k[] = {"met",    "unmet",  "unknown",
                                                "expert", "manual", "conflict"};
                n += json_integer_value(json_object_get(h, k[v]));
            }
            assert_int_equal(n, 1);
        }
        json_decref(sum);
        assert_int_equal(
            elig_decisions_list(f->db, &f->sys, &df, 0, 20, &items, &total, &e),
            0);
        assert_int_equal(total, 1);
        json_decref(items);
    }

    /* an unknown rule set is refused before anything is written */
    {
        const char *const bad[] = {"nope"};

        assert_int_equal(elig_screen(f->db, &f->sys, bad, 1, day(AS_OF), NULL,
                                     NULL, NULL, NULL, &e),
                         ERR_INVALID);
        assert_string_equal(e.field, "rulesets");
    }
}

/* A job that asks for its own cancellation before screening. */
static int cancel_then_screen(JobRun *run, Db *db, const Actor *a, void *ud,
                              Err *e)
{
    Err ce;

    (void)ud;
    assert_int_equal(job_cancel(db, a, job_id(run), NULL, &ce), 0);
    return elig_screen(db, a, NULL, 0, day(AS_OF), run, NULL, NULL, NULL, e);
}

static void test_cancel_writes_nothing(void **state)
{
    Fixture *f = *state;
    json_t *job = NULL;
    int64_t id = 0;
    Err e;

    add_hnte_candidate(f, f->street_a, "30000000");
    add_hnte_candidate(f, f->street_b, "30000000");
    assert_int_equal(job_create(f->db, &f->sys, "screening", NULL, &id, &e), 0);
    assert_int_equal(
        job_start(f->path, id, &f->sys, cancel_then_screen, NULL, NULL, &e), 0);
    job_wait_all(0);
    assert_int_equal(job_get(f->db, &f->sys, id, NULL, &job, &e), 0);
    assert_string_equal(json_string_value(json_object_get(job, "status")),
                        "cancelled");
    json_decref(job);
    assert_int_equal(count(f, "SELECT COALESCE(SUM(n), 0) FROM decision_sets"),
                     0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'elig.screen'"),
                     0);
}

/* ---- explanations of a decision (no database) --------------------------- */

static RuleResult *eval_args(const char *id, const char *const *assign)
{
    const RuleSetEntry *en = ruleset_find(ruleset_builtins(), id);
    RuleInput *in;
    RuleResult *r = NULL;
    Date d;
    Err e;
    assert_non_null(en);
    assert_int_equal(date_from_ymd(2023, 12, 31, &d, NULL, NULL), 0);
    in = rule_input_new(2023, d);
    for (int i = 0; assign[i]; i++) {
        if (rule_input_assign(in, assign[i], &e) != 0) {
            fail_msg("%s: %s", assign[i], e.msg);
        }
    }
    assert_int_equal(rule_eval(en->rs, in, &r, &e), 0);
    rule_input_free(in);
    return r;
}

static const char *gaps_of(const RuleResult *r, Buf *b)
{
    buf_reset(b);
    elig_gap_text(r, b);
    return b->len ? b->data : "";
}

#define CHUYING_BASE                                                           \
    "tianjin=是", "dishonest=否", "serious_illegal=否",                        \
        "sales_revenue[2022]=12万", "ip1_all=0", "ip2_all=1",                  \
        "tj_hnte_cert=否", "software_cert=否", "software_product_cert=否",     \
        "competition_award=否", "hnte_cert=否", "award_ever=否",               \
        "rd_institution=否", "joined_standard=否", "vc_single_max=0元",        \
        "sci_project=否"

/* 津科规〔2021〕3号 雏鹰（一）“注册时间8年以内”: a 雏鹰 that fails on age and
 * on the 经营异常名录 gets no gap of the （四） alternatives (a venture
 * investment to raise) but is told that no improvement helps; one that
 * fails （四） alone gets one alternative's gap. */
static void test_gap_column_unfixable(void **state)
{
    static const char *const old[] = {CHUYING_BASE, "established=2010-06-01",
                                      "abnormal_list=是", NULL};
    static const char *const young[] = {CHUYING_BASE, "established=2018-06-01",
                                        "abnormal_list=否", NULL};
    RuleResult *r;
    RuleRow w;
    Buf b;
    (void)state;
    buf_init(&b, 4096);
    r = eval_args("chuying-tj-2021", old);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_string_equal(
        gaps_of(r, &b),
        "无法通过改进达标：注册时间8年以内（截至上一年12月31日）"
        "；未列入经营异常名录");
    for (int i = 0; i < rule_result_n_rows(r); i++) {
        rule_result_row(r, i, &w);
        if (strcmp(w.id, "age8") == 0) {
            assert_true(w.unfixable);
            assert_string_equal(w.gap, "无法通过改进满足（取决于成立日期）");
        }
        if (strcmp(w.id, "extra") == 0) {
            assert_false(w.unfixable);
            assert_true(w.alternatives);
        }
    }
    rule_result_free(r);
    r = eval_args("chuying-tj-2021", young);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_string_equal(gaps_of(r, &b), "任选其一：单笔单家创业投资最高额"
                                        "再增加 100 万元");
    rule_result_free(r);
    buf_release(&b);
}

/* 雏鹰 注册恰满8年整 (the manual question of the rule set): a pending
 * verdict names the criterion and the open question in the gap column;
 * far from the tie the question is not shown at all. */
static void test_pending_names_question(void **state)
{
    static const char *const tie[] = {CHUYING_BASE, "established=2014-12-31",
                                      "abnormal_list=否", "tj_hnte_cert=是",
                                      NULL};
    static const char *const far[] = {CHUYING_BASE, "established=2018-06-01",
                                      "abnormal_list=否", "tj_hnte_cert=是",
                                      NULL};
    RuleResult *r;
    json_t *o;
    Buf b;
    (void)state;
    buf_init(&b, 1 << 16);
    r = eval_args("chuying-tj-2021", tie);
    assert_int_equal(rule_result_verdict(r), RULE_V_MANUAL);
    assert_string_equal(
        gaps_of(r, &b),
        "待人工确认：基本条件（一）至（三）"
        "（注册恰满8年整是否属于“8年以内”（需向市科技局确认））");
    buf_reset(&b);
    rule_result_format_text(r, &b);
    assert_non_null(strstr(b.data, "[待人工确认] 注册恰满8年整"));
    rule_result_free(r);
    r = eval_args("chuying-tj-2021", far);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    buf_reset(&b);
    rule_result_format_text(r, &b);
    assert_null(strstr(b.data, "[待人工确认]"));
    o = elig_result_json(
        ruleset_find(ruleset_builtins(), "chuying-tj-2021")->rs, r);
    {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(o, "rows"), i, row)
        {
            assert_string_not_equal(
                json_string_value(json_object_get(row, "id")), "age_tie");
        }
    }
    /* 达标 by one of the （四） alternatives: the path names it */
    assert_string_equal(json_string_value(json_object_get(o, "path")),
                        "（四）还应达到以下任一条件："
                        "有效期内的国家或天津市高新技术企业资格证书");
    json_decref(o);
    rule_result_free(r);
    buf_release(&b);
}

/* docs/rules.md 11.8: an IP count that is unknown within bounds (blank
 * 用于主要产品 / 授权日期) shows its range and why in the row's `actual`,
 * in the JSON of the eligibility API as in the text. */
static void test_bounded_count_json(void **state)
{
    const RuleSetEntry *en = ruleset_find(ruleset_builtins(), "hnte-2016");
    RuleInput *in = rule_input_new(2026, 20593); /* 2026-05-20 */
    RuleIpRight ips[] = {
        {1, 1, DATE_MAX, 0, -1, 0}, /* 用于主要产品 blank */
        {1, -1, DATE_MAX, 0, 1, 0}, /* 授权日期 blank */
        {1, 1, DATE_MAX, 0, 1, 0},
    };
    RuleResult *r = NULL;
    json_t *o, *row;
    size_t i;
    int found = 0;
    Err e;
    (void)state;
    assert_non_null(en);
    rule_input_count_ip(in, ips, 3);
    assert_int_equal(rule_eval(en->rs, in, &r, &e), 0);
    o = elig_result_json(en->rs, r);
    json_array_foreach(json_object_get(o, "rows"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "id")), "c2") == 0) {
            assert_string_equal(
                json_string_value(json_object_get(row, "actual")),
                "1–3 项（其中 2 项未填“用于主要产品”或“授权日期”，"
                "不确定能否计入）");
            assert_string_equal(
                json_string_value(json_object_get(row, "outcome")), "met");
            found = 1;
        }
    }
    assert_true(found);
    json_decref(o);
    rule_result_free(r);
    rule_input_free(in);
}

static void test_evaluate_json(void **state)
{
    Fixture *f = *state;
    int64_t id = add_hnte_candidate(f, f->street_a, "30000000");
    const char *const ov[] = {"hitech_income[2025]=1000万"};
    const char *const bad[] = {"employees[2025]=80", "nonsense=1"};
    json_t *o = NULL, *r, *l;
    size_t i;
    int found = 0;
    Err e;

    assert_int_equal(
        elig_evaluate(f->db, id, day(AS_OF), "hnte-2016", NULL, 0, &o, &e), 0);
    r = json_array_get(json_object_get(o, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "verdict")),
                        "expert");
    assert_int_equal(
        strlen(json_string_value(json_object_get(r, "ruleset_hash"))), 64);
    /* the documented keys of one result (rules eval --json prints the same) */
    assert_true(json_is_string(json_object_get(r, "path")));
    assert_true(json_is_string(json_object_get(r, "not_needed")));
    /* the inputs the criteria read (filled in or not) */
    assert_non_null(strstr(json_string_value(json_object_get(r, "reads")),
                           "科技成果转化项数["));
    assert_true(json_is_boolean(json_object_get(
        json_array_get(json_object_get(r, "rows"), 0), "unfixable")));
    json_decref(o);

    /* what-if: a lower high-tech income fails criterion (六) */
    assert_int_equal(
        elig_evaluate(f->db, id, day(AS_OF), "hnte-2016", ov, 1, &o, &e), 0);
    r = json_array_get(json_object_get(o, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "verdict")),
                        "unmet");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(o, "baseline"), "hnte-2016")),
                        "expert");
    /* the ladder's next step names the gap */
    json_array_foreach(json_object_get(o, "ladders"), i, l)
    {
        json_t *next = json_object_get(l, "next");

        if (json_is_object(next) &&
            strcmp(json_string_value(json_object_get(next, "tier")), "hnte") ==
                0) {
            found = 1;
            assert_true(
                json_integer_value(json_object_get(next, "n_changes")) >= 1);
            {
                char *txt = json_dumps(next, 0);

                assert_non_null(strstr(txt, "高新技术产品"));
                free(txt);
            }
        }
    }
    assert_true(found);
    json_decref(o);

    assert_int_equal(elig_evaluate(f->db, id, day(AS_OF), NULL, bad, 2, &o, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "overrides[1]");
    assert_int_equal(
        elig_evaluate(f->db, id, day(AS_OF), "nope", NULL, 0, &o, &e),
        ERR_INVALID);
    assert_int_equal(elig_evaluate(f->db, id, day("2015-01-01"), "sme-2022",
                                   NULL, 0, &o, &e),
                     ERR_INVALID); /* not in force then */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_years_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fact_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declarations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_list_summary, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cancel_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_evaluate_json, setup, teardown),
        cmocka_unit_test(test_gap_column_unfixable),
        cmocka_unit_test(test_bounded_count_json),
        cmocka_unit_test(test_pending_names_question),
    };

    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
