/* test_audit.c - the audit hash chain: records, verification, tampering
 * (edit, delete, reorder), secret stripping, filters. */
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
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/io/fieldname.h"

typedef struct Fx {
    char dir[64];
    char path[128];
    Db *db;
    Actor a;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    Err e;

    log_set_level(LOG_ERROR);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_audit_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    testdb_use(f->path, sizeof f->path, f->dir);
    err_clear(&e);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    actor_init_system(&f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    char p[200];

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

/* Record n entries, each in its own transaction. */
static void record_n(Fx *f, int n)
{
    Err e;
    int i;

    for (i = 0; i < n; i++) {
        json_t *after =
            json_pack("{sisssss{ss}}", "n", i, "name", "x", "password",
                      "secret1234", "nested", "token", "kc_abc");
        assert_int_equal(db_begin(f->db, &e), 0);
        assert_int_equal(audit_record(f->db, &f->a, "ent.update", "enterprise",
                                      i + 1, "/1/", NULL, after, &e),
                         0);
        assert_int_equal(db_commit(f->db, &e), 0);
        json_decref(after);
    }
}

static void test_chain_intact(void **state)
{
    Fx *f = *state;
    int64_t n = -1;
    int64_t bad = -1;
    char *prev = NULL;
    Err e;

    assert_int_equal(audit_verify(f->db, &n, &bad, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bad, 0);
    record_n(f, 5);
    assert_int_equal(audit_verify(f->db, &n, &bad, &e), 0);
    assert_int_equal(n, 5);
    assert_int_equal(bad, 0);
    /* the first entry links to the genesis hash */
    assert_int_equal(db_query_text(f->db, &prev, &e,
                                   "SELECT prev_hash FROM audit_log WHERE id "
                                   "= 1",
                                   ""),
                     0);
    assert_string_equal(prev, AUDIT_GENESIS_HASH);
    free(prev);
}

static void test_secrets_stripped(void **state)
{
    Fx *f = *state;
    char *after = NULL;
    Err e;

    record_n(f, 1);
    assert_int_equal(db_query_text(f->db, &after, &e,
                                   "SELECT after_json FROM audit_log", ""),
                     0);
    /* canonical: sorted keys, compact; secrets gone at any depth */
    assert_string_equal(after, "{\"n\":0,\"name\":\"x\",\"nested\":{}}");
    free(after);
}

static void test_edit_detected(void **state)
{
    Fx *f = *state;
    int64_t n = 0;
    int64_t bad = 0;
    Err e;

    record_n(f, 6);
    assert_int_equal(db_exec_v(f->db, &e,
                               "UPDATE audit_log SET username = 'mallory' "
                               "WHERE id = 4",
                               ""),
                     0);
    assert_int_equal(audit_verify(f->db, &n, &bad, &e), 0);
    assert_int_equal(bad, 4);
    assert_int_equal(n, 4);
}

static void test_rehash_detected_by_next(void **state)
{
    Fx *f = *state;
    int64_t n = 0;
    int64_t bad = 0;
    Err e;

    /* a forger who edits a row and also replaces its hash still breaks
     * the next entry's prev_hash link */
    record_n(f, 3);
    assert_int_equal(db_exec_v(f->db, &e,
                               "UPDATE audit_log SET hash = "
                               "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                               "aaaaaaaaaaaaaaaaaaaa' WHERE id = 2",
                               ""),
                     0);
    assert_int_equal(audit_verify(f->db, &n, &bad, &e), 0);
    assert_int_equal(bad, 2);
}

static void test_delete_detected(void **state)
{
    Fx *f = *state;
    int64_t n = 0;
    int64_t bad = 0;
    Err e;

    record_n(f, 5);
    assert_int_equal(
        db_exec_v(f->db, &e, "DELETE FROM audit_log WHERE id = 3", ""), 0);
    assert_int_equal(audit_verify(f->db, &n, &bad, &e), 0);
    assert_int_equal(bad, 4);
}

static void test_list_filters_and_scope(void **state)
{
    Fx *f = *state;
    AuditFilter flt;
    json_t *items = NULL;
    int64_t total = 0;
    Actor street;
    Err e;

    record_n(f, 3);
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(audit_record(f->db, &f->a, "org.update", "enterprise", 9,
                                  "/1/4/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(f->db, &e), 0);

    memset(&flt, 0, sizeof flt);
    assert_int_equal(audit_filter_check(&flt, &e), 0);
    assert_int_equal(audit_list(f->db, &f->a, &flt, 0, 2, &items, &total, &e),
                     0);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(items), 2);
    /* newest first */
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")), 4);
    json_decref(items);

    flt.action = "ent.update";
    flt.object_id = 2;
    assert_int_equal(audit_list(f->db, &f->a, &flt, 0, 50, &items, &total, &e),
                     0);
    assert_int_equal(total, 1);
    json_decref(items);

    /* an actor of /1/4/ sees only that entry */
    memset(&flt, 0, sizeof flt);
    street = f->a;
    snprintf(street.unit_path, sizeof street.unit_path, "/1/4/");
    assert_int_equal(
        audit_list(f->db, &street, &flt, 0, 50, &items, &total, &e), 0);
    assert_int_equal(total, 1);
    json_decref(items);
    assert_int_equal(audit_get(f->db, &street, 1, &items, &e), ERR_NOTFOUND);

    /* dates */
    flt.from = "2000-01-01";
    flt.to = "2000-12-31";
    assert_int_equal(audit_filter_check(&flt, &e), 0);
    assert_string_equal(flt.to_iso, "2000-12-31T23:59:59Z");
    assert_int_equal(audit_list(f->db, &f->a, &flt, 0, 50, &items, &total, &e),
                     0);
    assert_int_equal(total, 0);
    json_decref(items);
    flt.from = "2000-02-30";
    assert_int_equal(audit_filter_check(&flt, &e), ERR_INVALID);
    assert_string_equal(e.field, "from");
}

static int count_rows(void *ud, const AuditRow *r)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void test_export_cap(void **state)
{
    Fx *f = *state;
    AuditFilter flt;
    int rows = 0;
    Err e;

    record_n(f, 4);
    memset(&flt, 0, sizeof flt);
    assert_int_equal(
        audit_export(f->db, &f->a, &flt, 10, count_rows, &rows, &e), 0);
    assert_int_equal(rows, 4);
    err_clear(&e);
    assert_int_equal(audit_export(f->db, &f->a, &flt, 3, count_rows, &rows, &e),
                     ERR_TOOBIG);
    assert_non_null(strstr(e.msg, "超过单次导出上限"));
}

/* Every action and object type has a zh-CN name: audit_record refuses a
 * code without one (nothing written), and the names the audit page and
 * export show come from the same table. */
static void test_unnamed_refused(void **state)
{
    Fx *f = *state;
    int64_t n = -1;
    Err e;

    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(audit_record(f->db, &f->a, "ent.frobnicate", "enterprise",
                                  1, "/1/", NULL, NULL, &e),
                     ERR_INTERNAL);
    assert_int_equal(audit_record(f->db, &f->a, "ent.update", "gadget", 1,
                                  "/1/", NULL, NULL, &e),
                     ERR_INTERNAL);
    db_rollback(f->db);
    assert_int_equal(
        db_query_int64(f->db, &n, &e, "SELECT COUNT(*) FROM audit_log", ""), 0);
    assert_int_equal(n, 0);
    assert_string_equal(labels_action("ent.retire"), "注销出库");
    assert_string_equal(labels_object_type("api_token"), "API 令牌");
    assert_string_equal(labels_policy_app_status("submitted"),
                        "已受理（待初审）");
    assert_null(labels_policy_app_status("no_such_status"));
    /* fields: own names first, then the column registry without units */
    assert_string_equal(fieldname_of("counts_valid"), "计入有效知识产权");
    assert_string_equal(fieldname_of("acquisition_name"), "获得方式名称");
    assert_string_equal(fieldname_of("sales_revenue"), "销售收入");
    assert_string_equal(fieldname_of("uscc"), "统一社会信用代码");
    assert_string_equal(fieldname_of("name"), "名称");
    assert_null(fieldname_of("no_such_field"));
    assert_string_equal(fieldname_or_key("no_such_field"), "no_such_field");
    {
        json_t *j = fieldname_labels_json();
        json_t *fields = json_object_get(j, "fields");

        assert_string_equal(
            json_string_value(json_object_get(fields, "sales_revenue")),
            "销售收入");
        assert_true(json_array_size(json_object_get(j, "actions")) >= 30);
        /* the statuses of policy applications, served with their names */
        assert_int_equal(
            json_array_size(json_object_get(j, "policy_app_statuses")), 7);
        assert_string_equal(
            json_string_value(json_object_get(
                json_array_get(json_object_get(j, "policy_app_statuses"), 0),
                "label")),
            labels_policy_app_status("submitted"));
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehash_detected_by_next, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delete_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters_and_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_export_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unnamed_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
