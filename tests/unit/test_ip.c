/* test_ip.c - IP rights (domain/ip.c) and dated facts (domain/fact.c) of
 * enterprises: types and classes, validation, derived expiry, scope,
 * retire, audit. */
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
#include "domain/accounts/org.h"
#include "domain/library/ent.h"
#include "domain/library/fact.h"
#include "domain/library/ip.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;
    Actor agent_b; /* 街道专员 of street B */
    int64_t ent;   /* an enterprise in street A */
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    int64_t root, a, b;
    char code[USCC_LEN + 1];
    char prefix[18] = "91120102MA0000001";
    OrgInput oi;
    EntInput in;
    Err e;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_ip_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    testdb_use(f->path, sizeof f->path, f->dir);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    actor_init_system(&f->sys);
    assert_int_equal(org_create_root(f->db, &f->sys, "河东区", &root, &e), 0);
    memset(&oi, 0, sizeof oi);
    oi.parent_id = root;
    oi.kind = "subdistrict";
    oi.name = "春华街道";
    assert_int_equal(org_create(f->db, &f->sys, &oi, &a, &e), 0);
    oi.name = "唐家口街道";
    assert_int_equal(org_create(f->db, &f->sys, &oi, &b, &e), 0);
    f->agent_b = f->sys;
    f->agent_b.role = ROLE_AGENT;
    assert_int_equal(org_path(f->db, b, f->agent_b.unit_path,
                              sizeof f->agent_b.unit_path, NULL, &e),
                     0);
    memcpy(code, prefix, 17);
    code[17] = uscc_check_char(prefix);
    code[18] = '\0';
    memset(&in, 0, sizeof in);
    in.uscc = code;
    in.name = "天津春华科技有限公司";
    in.unit_id = a;
    assert_int_equal(ent_create(f->db, &f->sys, &in, NULL, &f->ent, &e), 0);
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

static void test_ip_kinds(void **state)
{
    const IpKind *k;
    int n = 0;
    int n1 = 0;
    int i;

    (void)state;
    k = ip_kinds(&n);
    assert_int_equal(n, 9);
    for (i = 0; i < n; i++) {
        n1 += k[i].klass == 1;
    }
    /* 6 kinds of Ⅰ类, 3 of Ⅱ类 (国科发火〔2016〕195号). */
    assert_int_equal(n1, 6);
    assert_int_equal(ip_class_of("invention"), 1);
    assert_int_equal(ip_class_of("ic_layout"), 1);
    assert_int_equal(ip_class_of("tcm_protected"), 1);
    assert_int_equal(ip_class_of("utility"), 2);
    assert_int_equal(ip_class_of("software"), 2);
    assert_int_equal(ip_class_of("trademark"), 0);
    assert_string_equal(ip_kind_find("design")->name, "外观设计专利");
    assert_string_equal(ip_status_name("transferred"), "已转让");
    assert_null(ip_status_name("pending"));
}

static void test_ip_create_list_retire(void **state)
{
    Fixture *f = *state;
    json_t *items = NULL;
    json_t *it = NULL;
    IpInput in;
    int64_t id = 0, id2 = 0;
    Err e;

    memset(&in, 0, sizeof in);
    in.kind = "invention";
    in.defense = 1;
    in.number = "ZL201910000001.2";
    in.title = "一种光电传感装置";
    in.applied_on = "2019-03-01";
    in.granted_on = "2021年5月6日";
    in.main_product = 1;
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e), 0);
    /* Same type and number again: conflict. */
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id2, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.field, "number");

    memset(&in, 0, sizeof in);
    in.kind = "software";
    in.number = "2022SR0000001";
    in.title = "企业管理系统软件V1.0";
    in.granted_on = "2022-01-01";
    in.acquisition = "acquired";
    in.acquired_on = "2023-02-03";
    in.hnte_year = 2023;
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id2, &e), 0);

    assert_int_equal(ip_list(f->db, &f->sys, f->ent, 0, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    {
        size_t i;
        json_array_foreach(items, i, it)
        {
            if (json_integer_value(json_object_get(it, "id")) == id) {
                break;
            }
        }
    }
    assert_non_null(it);
    assert_string_equal(json_string_value(json_object_get(it, "kind_name")),
                        "发明专利");
    assert_int_equal(json_integer_value(json_object_get(it, "klass")), 1);
    assert_true(json_is_true(json_object_get(it, "defense")));
    assert_string_equal(json_string_value(json_object_get(it, "granted_on")),
                        "2021-05-06");
    /* Derived expiry: 20 years from filing, minus one day. */
    assert_string_equal(json_string_value(json_object_get(it, "expires_on")),
                        "2039-02-28");
    assert_true(json_is_true(json_object_get(it, "counts_valid")));
    json_decref(items);
    assert_int_equal(count(f->db, "SELECT klass FROM ip_rights WHERE kind = "
                                  "'software'"),
                     2);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action = 'ip.create'"),
                     2);

    /* The list filter "valid class-Ⅰ IP" sees it. */
    {
        char ind[8];
        EntFilter flt;
        int64_t total = 0;
        memset(&flt, 0, sizeof flt);
        flt.has_ip1 = 1;
        assert_int_equal(ent_filter_check(&flt, ind, &e), 0);
        assert_int_equal(
            ent_list(f->db, &f->sys, &flt, 0, 10, &items, &total, NULL, &e), 0);
        json_decref(items);
        assert_int_equal(total, 1);
        assert_int_equal(
            ip_retire(f->db, &f->sys, f->ent, id, "专利权转让", &e), 0);
        assert_int_equal(
            ent_list(f->db, &f->sys, &flt, 0, 10, &items, &total, NULL, &e), 0);
        json_decref(items);
        assert_int_equal(total, 0);
    }
    assert_int_equal(ip_retire(f->db, &f->sys, f->ent, id, "again", &e),
                     ERR_CONFLICT);
    assert_int_equal(ip_list(f->db, &f->sys, f->ent, 0, &items, &e), 0);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);
    assert_int_equal(ip_list(f->db, &f->sys, f->ent, 1, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);

    /* Outside the scope: missing. */
    assert_int_equal(ip_list(f->db, &f->agent_b, f->ent, 0, &items, &e),
                     ERR_NOTFOUND);
    assert_int_equal(ip_retire(f->db, &f->agent_b, f->ent, id2, "x", &e),
                     ERR_NOTFOUND);
    memset(&in, 0, sizeof in);
    in.kind = "utility";
    in.number = "ZL1";
    in.title = "t";
    assert_int_equal(ip_create(f->db, &f->agent_b, f->ent, &in, NULL, &id, &e),
                     ERR_NOTFOUND);
}

static void test_ip_invalid(void **state)
{
    Fixture *f = *state;
    IpInput in;
    int64_t id;
    Err e;

    memset(&in, 0, sizeof in);
    in.kind = "trademark";
    in.number = "1";
    in.title = "t";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "kind");
    in.kind = "utility";
    in.defense = 1;
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "defense");
    in.defense = 0;
    in.number = " ";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "number");
    in.number = "ZL2";
    in.applied_on = "2020-05-01";
    in.granted_on = "2020-04-01";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "granted_on");
    in.granted_on = "2020-13-01";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "granted_on");
    in.granted_on = NULL;
    in.status = "pending";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "status");
    in.status = NULL;
    in.acquired_on = "2021-01-01";
    assert_int_equal(ip_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "acquired_on");
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM ip_rights"), 0);
}

static void test_facts(void **state)
{
    Fixture *f = *state;
    json_t *items = NULL;
    FactInput in;
    int64_t id = 0;
    Err e;

    assert_non_null(fact_kind_find("credit_flag"));
    assert_string_equal(fact_subkind_name("abnormal_operation"),
                        "经营异常名录");
    assert_string_equal(fact_level_name("provincial"), "省部级");

    memset(&in, 0, sizeof in);
    in.kind = "award";
    in.subkind = "second";
    in.level = "provincial";
    in.rank = 2;
    in.title = "天津市科学技术进步奖";
    in.occurred_on = "2023-12-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     0);
    memset(&in, 0, sizeof in);
    in.kind = "financing";
    in.amount = 12345678;
    in.counterparty = "海河产业基金";
    in.title = "A轮";
    in.occurred_on = "2024-03-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     0);
    memset(&in, 0, sizeof in);
    in.kind = "credit_flag";
    in.subkind = "abnormal_operation";
    in.valid_from = "2024-06-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     0);

    assert_int_equal(fact_list(f->db, &f->sys, f->ent, NULL, 0, &items, &e), 0);
    assert_int_equal(json_array_size(items), 3);
    /* Newest first: the credit flag. */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(items, 0), "subkind_name")),
                        "经营异常名录");
    json_decref(items);
    assert_int_equal(
        fact_list(f->db, &f->sys, f->ent, "financing", 0, &items, &e), 0);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(items, 0), "amount_wan")),
                        "1234.5678");
    json_decref(items);

    assert_int_equal(fact_retire(f->db, &f->sys, f->ent + 1, id, "x", &e),
                     ERR_NOTFOUND);
    assert_int_equal(
        fact_retire(f->db, &f->sys, f->ent, id, "已移出经营异常名录", &e), 0);
    assert_int_equal(fact_list(f->db, &f->sys, f->ent, NULL, 0, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_log WHERE "
                                  "action LIKE 'fact.%'"),
                     4);

    /* Validation. */
    memset(&in, 0, sizeof in);
    in.kind = "award";
    in.subkind = "second";
    in.occurred_on = "2023-01-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "level"); /* awards need a level */
    in.level = "galactic";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "level");
    in.level = "national";
    in.subkind = "fourth";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "subkind");
    in.subkind = "first";
    in.occurred_on = NULL;
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "occurred_on");
    memset(&in, 0, sizeof in);
    in.kind = "financing";
    in.level = "national";
    in.occurred_on = "2023-01-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "level");
    in.level = NULL;
    in.amount = -1;
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "amount");
    memset(&in, 0, sizeof in);
    in.kind = "credit_flag";
    in.subkind = "serious_illegal";
    in.valid_from = "2024-06-01";
    in.valid_to = "2024-05-01";
    assert_int_equal(fact_create(f->db, &f->sys, f->ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "valid_to");
    in.valid_to = NULL;
    assert_int_equal(
        fact_create(f->db, &f->agent_b, f->ent, &in, NULL, &id, &e),
        ERR_NOTFOUND);
    assert_int_equal(
        fact_list(f->db, &f->sys, f->ent, "nonsense", 0, &items, &e),
        ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_kinds),
        cmocka_unit_test_setup_teardown(test_ip_create_list_retire, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ip_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
    };

    log_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
