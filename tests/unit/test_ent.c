/* test_ent.c - the enterprise library domain: reference tables
 * (industry.c), enterprise records (ent.c) and yearly figures
 * (ent_year.c), on a fresh migrated database per test. */
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
#include "common/apitest.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/org.h"
#include "domain/library/ent.h"
#include "domain/library/ent_year.h"
#include "domain/library/industry.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;     /* command line: everything */
    Actor agent_a; /* 街道专员 of street A */
    int64_t root, street_a, street_b;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    OrgInput oi;
    Err e;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_ent_XXXXXX");
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

static int64_t count(Db *db, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(db, &n, &e, sql, ""), 0);
    return n;
}

/* Create an enterprise named name in unit with code number n. */
static int64_t add_ent(Fixture *f, int n, const char *name, int64_t unit,
                       const char *industry, int64_t domain,
                       const char *established)
{
    char code[USCC_LEN + 1];
    EntInput in;
    int64_t id = 0;
    Err e;

    apitest_uscc(n, code);
    memset(&in, 0, sizeof in);
    in.uscc = code;
    in.name = name;
    in.unit_id = unit;
    in.industry_code = industry;
    in.has_tech_domain = domain != 0;
    in.tech_domain = domain;
    in.established_on = established;
    err_clear(&e);
    if (ent_create(f->db, &f->sys, &in, NULL, &id, &e) != 0) {
        fail_msg("ent_create %s: %s", name, e.msg);
    }
    return id;
}

/* ---- reference tables ------------------------------------------------ */

static void test_industry_tables(void **state)
{
    size_t i;
    char sec = 0;

    (void)state;
    assert_int_equal(industry_count_sections(), INDUSTRY_N_SECTIONS);
    assert_int_equal(industry_count_sections(), 20);
    assert_int_equal(industry_count_divisions(), 97);
    /* Dense codes 01..97, each in an existing 门类. */
    for (i = 0; i < industry_count_divisions(); i++) {
        char want[3];
        snprintf(want, sizeof want, "%02d", (int)(i + 1));
        assert_string_equal(industry_division_code(i), want);
        assert_non_null(industry_division_name(want, &sec));
        assert_non_null(industry_section_name(sec));
    }
    assert_string_equal(industry_section_name('C'), "制造业");
    assert_string_equal(industry_section_name('T'), "国际组织");
    assert_null(industry_section_name('U'));
    assert_string_equal(industry_division_name("39", &sec),
                        "计算机、通信和其他电子设备制造业");
    assert_int_equal(sec, 'C');
    assert_string_equal(industry_division_name("65", &sec),
                        "软件和信息技术服务业");
    assert_int_equal(sec, 'I');
    assert_string_equal(industry_division_name("73", &sec), "研究和试验发展");
    assert_int_equal(sec, 'M');
    assert_null(industry_division_name("98", NULL));
    assert_null(industry_division_name("00", NULL));
    /* Section boundaries. */
    industry_division_name("43", &sec);
    assert_int_equal(sec, 'C');
    industry_division_name("44", &sec);
    assert_int_equal(sec, 'D');
    industry_division_name("12", &sec);
    assert_int_equal(sec, 'B');
    industry_division_name("13", &sec);
    assert_int_equal(sec, 'C');
}

static void test_industry_normalize(void **state)
{
    char out[INDUSTRY_CODE_MAX];
    Err e;

    (void)state;
    assert_int_equal(industry_normalize("C3963", out, "f", &e), 0);
    assert_string_equal(out, "C3963");
    assert_int_equal(industry_normalize(" 6513 ", out, "f", &e), 0);
    assert_string_equal(out, "I6513");
    assert_int_equal(industry_normalize("c39", out, "f", &e), 0);
    assert_string_equal(out, "C39");
    assert_int_equal(industry_normalize("M752", out, "f", &e), 0);
    assert_string_equal(out, "M752");
    /* 65 is in 门类 I, not C. */
    assert_int_equal(industry_normalize("C6513", out, "industry_code", &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "industry_code");
    assert_non_null(strstr(e.msg, "门类 I"));
    assert_string_equal(out, "");
    assert_int_equal(industry_normalize("9801", out, "f", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "98"));
    assert_int_equal(industry_normalize("Z01", out, "f", &e), ERR_INVALID);
    assert_int_equal(industry_normalize("C3", out, "f", &e), ERR_INVALID);
    assert_int_equal(industry_normalize("C39631", out, "f", &e), ERR_INVALID);
    assert_int_equal(industry_normalize("C39A", out, "f", &e), ERR_INVALID);
    assert_int_equal(industry_normalize("", out, "f", &e), ERR_INVALID);
    assert_int_equal(industry_normalize(NULL, out, "f", &e), ERR_INVALID);
}

static void test_tech_domains(void **state)
{
    (void)state;
    assert_string_equal(tech_domain_name(1), "电子信息");
    assert_string_equal(tech_domain_name(5), "高技术服务");
    assert_string_equal(tech_domain_name(8), "先进制造与自动化");
    assert_null(tech_domain_name(0));
    assert_null(tech_domain_name(9));
}

/* ---- records ----------------------------------------------------------- */

static void test_create_get(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char lower[USCC_LEN + 8];
    json_t *j = NULL;
    int64_t audits = count(f->db, "SELECT COUNT(*) FROM audit_log");
    EntInput in;
    int64_t id = 0;
    size_t i;
    Err e;

    apitest_uscc(1, code);
    /* Lower case with spaces around is normalised. */
    snprintf(lower, sizeof lower, "  %s ", code);
    for (i = 0; lower[i]; i++) {
        if (lower[i] >= 'A' && lower[i] <= 'Z') {
            lower[i] = (char)(lower[i] + 32);
        }
    }
    memset(&in, 0, sizeof in);
    in.uscc = lower;
    in.name = "  天津河东科创智能科技有限公司 ";
    in.unit_id = f->street_a;
    in.address = "天津市河东区大王庄街道十一经路 1 号";
    in.established_on = "2018年3月5日";
    in.has_registered_capital = 1;
    in.registered_capital = 12345678;
    in.industry_code = "6513";
    in.has_tech_domain = 1;
    in.tech_domain = 1;
    in.tech_subdomain = "软件";
    in.listing_status = "candidate";
    in.contact_name = "张三";
    in.contact_phone = "022-2412 3456";
    in.contact_email = "zhang@example.com";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e), 0);
    assert_true(id > 0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log"),
                     audits + 1);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action = 'ent.create'"),
                     1);

    assert_int_equal(ent_get(f->db, &f->sys, id, &j, &e), 0);
    assert_string_equal(json_string_value(json_object_get(j, "uscc")), code);
    assert_string_equal(json_string_value(json_object_get(j, "name")),
                        "天津河东科创智能科技有限公司");
    assert_string_equal(json_string_value(json_object_get(j, "established_on")),
                        "2018-03-05");
    assert_int_equal(
        json_integer_value(json_object_get(j, "registered_capital")), 12345678);
    assert_string_equal(
        json_string_value(json_object_get(j, "registered_capital_wan")),
        "1234.5678");
    assert_string_equal(json_string_value(json_object_get(j, "industry_code")),
                        "I6513");
    assert_string_equal(
        json_string_value(json_object_get(j, "industry_section_name")),
        "信息传输、软件和信息技术服务业");
    assert_string_equal(
        json_string_value(json_object_get(j, "industry_division_name")),
        "软件和信息技术服务业");
    assert_string_equal(
        json_string_value(json_object_get(j, "tech_domain_name")), "电子信息");
    assert_string_equal(
        json_string_value(json_object_get(j, "listing_status_name")),
        "上市后备");
    assert_string_equal(json_string_value(json_object_get(j, "unit_name")),
                        "大王庄街道");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "provenance"), "source")),
                        "user");
    assert_int_equal(json_array_size(json_object_get(j, "former_names")), 0);
    json_decref(j);

    /* The agent of street A sees it; found by code too. */
    assert_int_equal(ent_get(f->db, &f->agent_a, id, &j, &e), 0);
    json_decref(j);
    {
        int64_t found = 0;
        assert_int_equal(ent_find_uscc(f->db, &f->agent_a, lower, &found, &e),
                         0);
        assert_int_equal(found, id);
    }
}

static void test_create_invalid(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char bad[USCC_LEN + 1];
    EntInput in;
    int64_t id = 0;
    Err e;

    apitest_uscc(2, code);
    memset(&in, 0, sizeof in);
    in.uscc = code;
    in.name = "天津测试企业有限公司";
    in.unit_id = f->street_a;

    /* Wrong check character: the message names the expected one. */
    memcpy(bad, code, sizeof bad);
    bad[17] = bad[17] == '0' ? '1' : '0';
    in.uscc = bad;
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "uscc");
    {
        char want[4] = {code[17], 0, 0, 0};
        assert_non_null(strstr(e.msg, want));
    }
    in.uscc = code;

    in.name = "测";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "name");
    in.name = "天津测试企业有限公司";

    in.industry_code = "C6513";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "industry_code");
    in.industry_code = NULL;

    in.has_tech_domain = 1;
    in.tech_domain = 9;
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "tech_domain");
    in.has_tech_domain = 0;

    in.contact_email = "not-an-email";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "contact_email");
    in.contact_email = NULL;

    in.contact_phone = "call me";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "contact_phone");
    in.contact_phone = NULL;

    in.established_on = "2999-01-01";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "established_on");
    in.established_on = "2021-02-30";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "established_on");
    in.established_on = NULL;

    in.listing_status = "ipo";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "listing_status");
    in.listing_status = NULL;

    in.has_liaison = 1;
    in.liaison_user_id = 999;
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "liaison_user_id");
    in.has_liaison = 0;

    in.unit_id = 0;
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "unit_id");
    /* The agent of A cannot place an enterprise in street B. */
    in.unit_id = f->street_b;
    assert_int_equal(ent_create(f->db, &f->agent_a, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "unit_id");
    in.unit_id = f->street_a;

    /* A leader (read-only) cannot write at all. */
    {
        Actor leader = f->sys;
        leader.role = ROLE_LEADER;
        assert_int_equal(ent_create(f->db, &leader, &in, NULL, &id, &e),
                         ERR_FORBIDDEN);
    }

    /* Nothing was written, no audit entry for the failures. */
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprises"), 0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action LIKE 'ent.%'"),
                     0);

    /* Valid now; the same code again is a conflict. */
    assert_int_equal(ent_create(f->db, &f->agent_a, &in, NULL, &id, &e), 0);
    in.name = "另一家公司";
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &id, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.field, "uscc");
    assert_non_null(strstr(e.msg, "天津测试企业有限公司"));
}

static void test_update_rename_retire(void **state)
{
    Fixture *f = *state;
    json_t *j = NULL;
    EntInput in;
    int64_t id;
    Err e;

    id = add_ent(f, 3, "天津旧名称科技有限公司", f->street_a, "C39", 1,
                 "2015-06-01");
    memset(&in, 0, sizeof in);
    in.name = "天津新名称科技有限公司";
    in.has_registered_capital = 1;
    in.registered_capital = 5000000;
    assert_int_equal(ent_update(f->db, &f->agent_a, id, &in, NULL, &e), 0);
    assert_int_equal(ent_get(f->db, &f->sys, id, &j, &e), 0);
    assert_string_equal(json_string_value(json_object_get(j, "name")),
                        "天津新名称科技有限公司");
    /* Unchanged fields stay. */
    assert_string_equal(json_string_value(json_object_get(j, "industry_code")),
                        "C39");
    assert_string_equal(json_string_value(json_object_get(j, "established_on")),
                        "2015-06-01");
    assert_int_equal(json_array_size(json_object_get(j, "former_names")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "former_names"), 0), "name")),
        "天津旧名称科技有限公司");
    json_decref(j);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action = 'ent.update' AND before_json "
                                  "LIKE '%旧名称%' AND after_json LIKE "
                                  "'%新名称%'"),
                     1);

    /* Clearing an optional field with "". */
    memset(&in, 0, sizeof in);
    in.industry_code = "";
    assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e), 0);
    assert_int_equal(ent_get(f->db, &f->sys, id, &j, &e), 0);
    assert_true(json_is_null(json_object_get(j, "industry_code")));
    json_decref(j);

    /* Out of scope is reported as missing. */
    {
        Actor agent_b = f->agent_a;
        org_path(f->db, f->street_b, agent_b.unit_path,
                 sizeof agent_b.unit_path, NULL, &e);
        memset(&in, 0, sizeof in);
        in.note = "x";
        assert_int_equal(ent_update(f->db, &agent_b, id, &in, NULL, &e),
                         ERR_NOTFOUND);
        assert_int_equal(ent_get(f->db, &agent_b, id, &j, &e), ERR_NOTFOUND);
        assert_int_equal(ent_retire(f->db, &agent_b, id, "迁出", &e),
                         ERR_NOTFOUND);
    }

    assert_int_equal(ent_retire(f->db, &f->agent_a, id, " ", &e), ERR_INVALID);
    assert_string_equal(e.field, "retire_reason");
    assert_int_equal(ent_retire(f->db, &f->agent_a, id, "迁出本区", &e), 0);
    assert_int_equal(ent_retire(f->db, &f->agent_a, id, "迁出本区", &e),
                     ERR_CONFLICT);
    memset(&in, 0, sizeof in);
    in.note = "x";
    assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e),
                     ERR_CONFLICT);
    assert_int_equal(ent_get(f->db, &f->sys, id, &j, &e), 0);
    assert_true(json_is_true(json_object_get(j, "retired")));
    assert_string_equal(json_string_value(json_object_get(j, "retire_reason")),
                        "迁出本区");
    json_decref(j);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprises"), 1);
}

/* ---- yearly figures ---------------------------------------------------- */

static void test_years_provenance(void **state)
{
    Fixture *f = *state;
    EntSource imp = {"import", 42, 0};
    EntYearInput y;
    json_t *items = NULL;
    json_t *row;
    json_t *j = NULL;
    int64_t id;
    int created = 0;
    Err e;

    id = add_ent(f, 4, "天津年度数据测试有限公司", f->street_a, "M73", 2,
                 "2010-01-01");
    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_EMPLOYEES, 100);
    ent_year_input_set(&y, EY_TECH_STAFF, 30);
    ent_year_input_set(&y, EY_SALES_REVENUE, 50000000);
    ent_year_input_set(&y, EY_RD_EXPENSE, 2500000);
    assert_int_equal(ent_year_upsert(f->db, &f->agent_a, id, &y, &imp, &e), 0);
    memset(&y, 0, sizeof y);
    y.year = 2022;
    ent_year_input_set(&y, EY_SALES_REVENUE, 10);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e), 0);

    /* The list columns follow the latest year: 2.5M / 50M = 5.00 %. */
    assert_int_equal(ent_get(f->db, &f->sys, id, &j, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "latest_year")),
                     2023);
    assert_int_equal(json_integer_value(json_object_get(j, "latest_revenue")),
                     50000000);
    assert_int_equal(json_integer_value(json_object_get(j, "latest_rd_bp")),
                     500);
    json_decref(j);

    /* A partial update by the user: that field gets its own provenance,
     * the row keeps the import's. */
    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_RD_EXPENSE, 3000000);
    y.state[EY_TECH_STAFF] = EY_CLEAR;
    assert_int_equal(ent_year_write(f->db, &f->sys, id, &y, NULL, &created, &e),
                     0);
    assert_int_equal(created, 0);
    assert_int_equal(ent_year_list(f->db, &f->sys, id, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    row = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(row, "year")), 2023);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(row, "values"), "rd_expense")),
                     3000000);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(row, "values"), "employees")),
                     100);
    assert_true(json_is_null(
        json_object_get(json_object_get(row, "values"), "tech_staff")));
    assert_true(json_is_null(
        json_object_get(json_object_get(row, "values"), "net_profit")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(row, "provenance"), "source")),
                        "import");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(row, "provenance"), "ref")),
                     42);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(row, "field_provenance"),
                            "rd_expense"),
            "source")),
        "user");
    assert_non_null(json_object_get(json_object_get(row, "field_provenance"),
                                    "tech_staff"));
    assert_null(
        json_object_get(json_object_get(row, "field_provenance"), "employees"));
    json_decref(items);
    assert_int_equal(count(f->db, "SELECT latest_rd_bp FROM enterprises"), 600);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action = 'ent_year.upsert'"),
                     2);

    /* A full row from one source replaces the overrides. */
    memset(&y, 0, sizeof y);
    y.year = 2023;
    {
        int i;
        for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
            ent_year_input_set(&y, i, 1);
        }
    }
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, &imp, &e), 0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM field_provenance"), 0);
}

static void test_years_invalid(void **state)
{
    Fixture *f = *state;
    EntYearInput y;
    int64_t id;
    Err e;

    id = add_ent(f, 5, "天津年度校验测试有限公司", f->street_a, NULL, 0, NULL);
    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_EMPLOYEES, 10);
    ent_year_input_set(&y, EY_TECH_STAFF, 11);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "tech_staff");
    assert_non_null(strstr(e.msg, "职工总数"));

    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_RD_EXPENSE, -1);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "rd_expense");

    /* Net profit may be negative. */
    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_NET_PROFIT, -500000);
    ent_year_input_set(&y, EY_RD_EXPENSE, 100);
    ent_year_input_set(&y, EY_RD_DOMESTIC, 100);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e), 0);

    /* Cross-field check against the stored value. */
    memset(&y, 0, sizeof y);
    y.year = 2023;
    ent_year_input_set(&y, EY_RD_DOMESTIC, 101);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "rd_domestic");

    memset(&y, 0, sizeof y);
    y.year = 1800;
    ent_year_input_set(&y, EY_EMPLOYEES, 1);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "year");
    y.year = 3000;
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);

    memset(&y, 0, sizeof y);
    y.year = 2023;
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e),
                     ERR_INVALID);

    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_years"), 1);
    assert_int_equal(ent_year_field_index("rd_expense"), EY_RD_EXPENSE);
    assert_int_equal(ent_year_field_index("nope"), -1);
}

/* ---- list -------------------------------------------------------------- */

static void set_year(Fixture *f, int64_t id, int64_t year, int64_t sales,
                     int64_t rd)
{
    EntYearInput y;
    Err e;

    memset(&y, 0, sizeof y);
    y.year = year;
    ent_year_input_set(&y, EY_SALES_REVENUE, sales);
    ent_year_input_set(&y, EY_RD_EXPENSE, rd);
    assert_int_equal(ent_year_upsert(f->db, &f->sys, id, &y, NULL, &e), 0);
}

/* Names of the items, comma separated, into out. */
static int64_t list_names(Fixture *f, const Actor *a, EntFilter *flt, char *out,
                          size_t cap)
{
    char ind[INDUSTRY_CODE_MAX];
    json_t *items = NULL;
    json_t *it;
    int64_t total = -1;
    size_t i;
    size_t o = 0;
    Err e;

    out[0] = '\0';
    assert_int_equal(ent_filter_check(flt, ind, &e), 0);
    if (ent_list(f->db, a, flt, 0, 100, &items, &total, NULL, &e) != 0) {
        fail_msg("ent_list: %s", e.msg);
    }
    json_array_foreach(items, i, it)
    {
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "",
                              json_string_value(json_object_get(it, "name")));
    }
    assert_int_equal((int64_t)json_array_size(items) <= total, 1);
    json_decref(items);
    return total;
}

static void test_list_filters(void **state)
{
    Fixture *f = *state;
    char names[2048];
    char ind[INDUSTRY_CODE_MAX];
    EntFilter flt;
    json_t *items = NULL;
    int64_t total;
    int64_t a1, a2, b1, b2;
    Err e;

    a1 = add_ent(f, 11, "甲光电科技", f->street_a, "C3976", 1, "2012-05-01");
    a2 = add_ent(f, 12, "乙软件服务", f->street_a, "I6513", 1, "2019-01-10");
    b1 = add_ent(f, 13, "丙新材料股份", f->street_b, "C2641", 4, "2020-07-07");
    b2 = add_ent(f, 14, "丁检测技术", f->street_b, "M7452", 5, NULL);
    set_year(f, a1, 2023, 300000000, 9000000); /* 3 亿, 3.00 % */
    set_year(f, a2, 2023, 50000000, 2500000);  /* 5000 万, 5.00 % */
    set_year(f, b1, 2022, 20000000, 200000);   /* 2000 万, 1.00 % */
    set_year(f, b1, 2023, 40000000, 400000);   /* latest: 4000 万 */
    (void)b2;                                  /* no figures */

    memset(&flt, 0, sizeof flt);
    total = list_names(f, &f->sys, &flt, names, sizeof names);
    assert_int_equal(total, 4);

    /* Data scope: the agent of A sees only A's two. */
    total = list_names(f, &f->agent_a, &flt, names, sizeof names);
    assert_int_equal(total, 2);
    assert_string_equal(names, "乙软件服务,甲光电科技");

    flt.unit_id = f->street_b;
    total = list_names(f, &f->sys, &flt, names, sizeof names);
    assert_int_equal(total, 2);
    /* A unit outside the agent's scope is refused. */
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    assert_int_equal(
        ent_list(f->db, &f->agent_a, &flt, 0, 10, &items, &total, NULL, &e),
        ERR_INVALID);
    assert_string_equal(e.field, "unit_id");
    flt.unit_id = 0;

    flt.industry = "C";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 2);
    flt.industry = "c39";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    assert_string_equal(names, "甲光电科技");
    flt.industry = NULL;

    flt.tech_domain = 1;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 2);
    flt.tech_domain = 0;

    /* Revenue band, inclusive: exactly 5000 万 is inside [4000万, 5000万]. */
    flt.has_revenue_min = 1;
    flt.revenue_min = 40000000;
    flt.has_revenue_max = 1;
    flt.revenue_max = 50000000;
    flt.sort = "-latest_revenue";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 2);
    assert_string_equal(names, "乙软件服务,丙新材料股份");
    flt.has_revenue_min = flt.has_revenue_max = 0;

    /* R&D intensity >= 3 %. */
    flt.has_rd_min = 1;
    flt.rd_min_bp = 300;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 2);
    assert_string_equal(names, "甲光电科技,乙软件服务");
    flt.has_rd_min = 0;

    /* Sorting puts unknown revenue last in both directions. */
    flt.sort = "latest_revenue";
    list_names(f, &f->sys, &flt, names, sizeof names);
    assert_string_equal(names, "丙新材料股份,乙软件服务,甲光电科技,丁检测技术");
    flt.sort = "-latest_revenue";
    list_names(f, &f->sys, &flt, names, sizeof names);
    assert_string_equal(names, "甲光电科技,乙软件服务,丙新材料股份,丁检测技术");
    flt.sort = "name; DROP TABLE enterprises";
    assert_int_equal(ent_filter_check(&flt, ind, &e), ERR_INVALID);
    assert_string_equal(e.field, "sort");
    flt.sort = NULL;

    flt.established_from = 2019;
    flt.established_to = 2020;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 2);
    flt.established_from = flt.established_to = 0;

    /* Valid class-Ⅰ IP: an expired one does not count. */
    assert_int_equal(
        db_exec_v(f->db, &e,
                  "INSERT INTO ip_rights (enterprise_id, kind, klass, "
                  "number, title, status, expires_on, src_at, created_at, "
                  "updated_at) VALUES ($1, 'invention', 1, 'ZL1', 't', "
                  "'valid', '2099-01-01', 'x', 'x', 'x'), ($2, 'invention', "
                  "1, 'ZL2', 't', 'valid', '2001-01-01', 'x', 'x', 'x'), "
                  "($3, 'utility', 2, 'ZL3', 't', 'valid', NULL, 'x', 'x', "
                  "'x')",
                  "iii", a1, a2, b1),
        0);
    /* A bulk writer of ip_rights refreshes the derived list column. */
    assert_int_equal(ent_refresh_derived(f->db, 0, 0, ENT_DERIVED_IP1, &e), 0);
    flt.has_ip1 = 1;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    assert_string_equal(names, "甲光电科技");
    flt.has_ip1 = 0;

    /* Paging. */
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    assert_int_equal(
        ent_list(f->db, &f->sys, &flt, 3, 2, &items, &total, NULL, &e), 0);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);

    /* Retired ones only on request. */
    assert_int_equal(ent_retire(f->db, &f->sys, b2, "注销", &e), 0);
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 3);
    flt.include_retired = 1;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 4);
}

static void test_list_search(void **state)
{
    Fixture *f = *state;
    char names[2048];
    char code[USCC_LEN + 1];
    EntFilter flt;
    EntInput in;
    int64_t id;
    Err e;

    id = add_ent(f, 21, "天津河东智造科技有限公司", f->street_a, NULL, 0, NULL);
    add_ent(f, 22, "天津海河生物医药有限公司", f->street_b, NULL, 0, NULL);
    add_ent(f, 23, "天津100%纯净水有限公司", f->street_b, NULL, 0, NULL);
    memset(&in, 0, sizeof in);
    in.name = "天津河东新智造集团有限公司";
    assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e), 0);

    memset(&flt, 0, sizeof flt);
    /* 3+ characters go through the trigram index, former names too. */
    flt.q = "智造科技";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    assert_string_equal(names, "天津河东新智造集团有限公司");
    flt.q = "生物医药";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    /* 1-2 characters use LIKE, including former names. */
    flt.q = "智造";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    flt.q = "海";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    flt.q = "  天津 ";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 3);
    flt.q = "科技";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    /* LIKE wildcards are literal. */
    flt.q = "%";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    assert_string_equal(names, "天津100%纯净水有限公司");
    flt.q = "\"智造";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 0);
    /* By code: the full code and a part of it. */
    apitest_uscc(22, code);
    flt.q = code;
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 1);
    assert_string_equal(names, "天津海河生物医药有限公司");
    flt.q = "91120102MA";
    assert_int_equal(list_names(f, &f->sys, &flt, names, sizeof names), 3);
    /* Scope applies to search. */
    flt.q = "天津";
    assert_int_equal(list_names(f, &f->agent_a, &flt, names, sizeof names), 1);
}

/* Former names: a rename back drops the name from the list, a name used
 * again gets the new date, and only the ENT_FORMER_MAX most recently used
 * are kept, whoever renames (the UI's update or an import conflict). */
static void test_former_names_capped(void **state)
{
    Fixture *f = *state;
    char name[64], sql[160];
    EntInput in;
    int64_t id;
    Err e;
    int i;

    id = add_ent(f, 5, "天津名称000科技有限公司", f->street_a, "C39", 1,
                 "2015-06-01");
    memset(&in, 0, sizeof in);
    in.name = name;
    for (i = 1; i <= ENT_FORMER_MAX + 5; i++) {
        snprintf(name, sizeof name, "天津名称%03d科技有限公司", i);
        assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e), 0);
    }
    /* names 000..024 were used; the current is 025 */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM enterprise_names WHERE enterprise_id = %lld",
             (long long)id);
    assert_int_equal(count(f->db, sql), ENT_FORMER_MAX);
    /* the oldest five are gone, the newest former name is kept */
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_names "
                                  "WHERE name IN ('天津名称000科技有限公司', "
                                  "'天津名称004科技有限公司')"),
                     0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_names "
                                  "WHERE name IN ('天津名称005科技有限公司', "
                                  "'天津名称024科技有限公司')"),
                     2);
    /* back to a former name: no longer former; the one left is */
    in.name = "天津名称010科技有限公司";
    assert_int_equal(ent_update(f->db, &f->sys, id, &in, NULL, &e), 0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_names "
                                  "WHERE name = '天津名称010科技有限公司'"),
                     0);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM enterprise_names "
                                  "WHERE name = '天津名称025科技有限公司'"),
                     1);
    assert_int_equal(count(f->db, sql), ENT_FORMER_MAX);
    /* every rename is in the audit log, the trimmed ones too */
    {
        char expr[96], q[256];
        db_json_get(f->db, "before_json", "name", 0, expr, sizeof expr);
        snprintf(q, sizeof q,
                 "SELECT COUNT(*) FROM audit_log WHERE action = 'ent.update' "
                 "AND %s = '天津名称000科技有限公司'",
                 expr);
        assert_int_equal(count(f->db, q), 1);
    }
}

static int count_row(void *ud, const EntRow *r)
{
    int64_t *n = ud;

    assert_non_null(r->uscc);
    assert_int_equal(strlen(r->uscc), USCC_LEN);
    return ++*n >= 2 ? ERR_IO : 0;
}

static void test_export_walk(void **state)
{
    Fixture *f = *state;
    char ind[INDUSTRY_CODE_MAX];
    EntFilter flt;
    int64_t n = 0;
    Err e;

    add_ent(f, 31, "天津导出一有限公司", f->street_a, NULL, 0, NULL);
    add_ent(f, 32, "天津导出二有限公司", f->street_a, NULL, 0, NULL);
    add_ent(f, 33, "天津导出三有限公司", f->street_b, NULL, 0, NULL);
    memset(&flt, 0, sizeof flt);
    assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
    /* Over the cap: refused before any row. */
    assert_int_equal(ent_export(f->db, &f->sys, &flt, 2, count_row, &n, &e),
                     ERR_TOOBIG);
    assert_int_equal(n, 0);
    /* The callback's error stops the walk and is returned. */
    assert_int_equal(ent_export(f->db, &f->sys, &flt, 3, count_row, &n, &e),
                     ERR_IO);
    assert_int_equal(n, 2);
    /* Scope applies. */
    n = -10;
    assert_int_equal(ent_export(f->db, &f->agent_a, &flt, 2, count_row, &n, &e),
                     0);
    assert_int_equal(n, -8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_industry_tables),
        cmocka_unit_test(test_industry_normalize),
        cmocka_unit_test(test_tech_domains),
        cmocka_unit_test_setup_teardown(test_create_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_rename_retire, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_former_names_capped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_years_provenance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_years_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_walk, setup, teardown),
    };

    log_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
