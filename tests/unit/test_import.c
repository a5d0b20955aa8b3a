/* test_import.c - the import engine (domain/import.c) on a fresh migrated
 * database per test: every bad-input fixture of tests/data/import/ gives
 * its exact message (row, column) and writes nothing; valid rows only
 * when asked; upserts, provenance, conflicts with user-entered values,
 * figures' list columns, XLSX with merged title rows, a formula cell, a
 * truncated XLSX, a GBK file, 100 000 generated rows, and the round trip
 * export -> edit -> import. Fixtures: tests/data/import/make_fixtures.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/io/columns.h"
#include "domain/io/import.h"
#include "domain/io/lib_export.h"
#include "domain/library/ent.h"
#include "domain/library/fact.h"

#define DATA "tests/data/import/"

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;
    int64_t root, street;
    ImportReport rep;
    Err e;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    OrgInput oi;
    Err e;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_import_XXXXXX");
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
    assert_int_equal(org_create(f->db, &f->sys, &oi, &f->street, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char cmd[200];

    import_report_free(&f->rep);
    db_close(f->db);
    testdb_drop(f->path);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Import file (relative to the repository) as kind. */
static int run(Fixture *f, const char *kind, const char *file, int apply,
               int mode)
{
    ImportOpts o;

    memset(&o, 0, sizeof o);
    o.apply = apply;
    o.mode = mode;
    import_report_free(&f->rep);
    import_report_init(&f->rep, columns_kind_find(kind));
    return import_file(f->db, &f->sys, columns_kind_find(kind), file, &o,
                       &f->rep, &f->e);
}

static int64_t count(Fixture *f, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->db, &n, &e, sql, ""), 0);
    return n;
}

/* "stage/summary.inserted[/summary.valid]" of a job's result, read with
 * jansson (SQL JSON functions differ between the backends). */
static char *job_result(Fixture *f, int64_t id, int with_valid)
{
    char *r = NULL, out[128];
    json_t *j, *sum;

    assert_int_equal(db_query_text(f->db, &r, &f->e,
                                   "SELECT result FROM jobs WHERE id = $1", "i",
                                   id),
                     0);
    j = json_loads(r ? r : "{}", 0, NULL);
    assert_non_null(j);
    sum = json_object_get(j, "summary");
    snprintf(out, sizeof out, "%s/%lld",
             json_string_value(json_object_get(j, "stage")),
             (long long)json_integer_value(json_object_get(sum, "inserted")));
    if (with_valid) {
        snprintf(out + strlen(out), sizeof out - strlen(out), "/%lld",
                 (long long)json_integer_value(json_object_get(sum, "valid")));
    }
    json_decref(j);
    free(r);
    return xstrdup(out);
}

/* The rows of sql (one text column), joined by sep: group_concat done in
 * C, the same on both backends. */
static char *rows_text(Fixture *f, const char *sql, const char *sep)
{
    DbStmt *st = NULL;
    Buf b;
    int rc, n = 0;

    buf_init(&b, 1 << 24);
    assert_int_equal(db_prepare(f->db, sql, &st, &f->e), 0);
    while ((rc = db_step(st, &f->e)) == DB_ROW) {
        const char *t = db_col_text(st, 0);
        if (t) {
            buf_append_str(&b, n++ ? sep : "");
            buf_append_str(&b, t);
        }
    }
    assert_int_equal(rc, DB_DONE);
    db_finalize(st);
    {
        char *out = xstrdup(b.data);
        buf_release(&b);
        return out;
    }
}

static int64_t n_ent(Fixture *f)
{
    return count(f, "SELECT COUNT(*) FROM enterprises");
}

/* The full text of error i ("第 N 行「列」：…"). */
static void assert_error(Fixture *f, size_t i, const char *want)
{
    char *t;

    assert_true(i < f->rep.n_errors);
    t = import_error_text(&f->rep, i);
    if (strcmp(t, want) != 0) {
        fprintf(stderr, "got:  %s\nwant: %s\n", t, want);
    }
    assert_string_equal(t, want);
    free(t);
}

/* Load ent_ok.csv (codes 1-3). */
static void load_ents(Fixture *f)
{
    assert_int_equal(run(f, "enterprises", DATA "ent_ok.csv", 1, 0), 0);
    assert_int_equal(n_ent(f), 3);
}

static void test_enterprises_ok(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char *name = NULL;

    assert_int_equal(run(f, "enterprises", DATA "ent_ok.csv", 0, 0), 0);
    assert_int_equal(f->rep.rows, 3);
    assert_int_equal(f->rep.valid, 3);
    assert_int_equal(f->rep.inserted, 3); /* what the write would do */
    assert_string_equal(f->rep.encoding, "UTF-8 BOM");
    assert_int_equal(n_ent(f), 0); /* dry run */
    load_ents(f);
    assert_int_equal(f->rep.inserted, 3);
    apitest_uscc(1, code);
    assert_int_equal(db_query_text(f->db, &name, &f->e,
                                   "SELECT name || '|' || registered_capital "
                                   "|| '|' || tech_domain || '|' || src_kind "
                                   "FROM enterprises WHERE uscc = $1",
                                   "t", code),
                     0);
    assert_string_equal(name, "天津甲科技有限公司|5000000|1|import");
    free(name);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'import.apply'"),
                     1);
    /* the same file again: everything unchanged, nothing inserted */
    assert_int_equal(run(f, "enterprises", DATA "ent_ok.csv", 1, 0), 0);
    assert_int_equal(f->rep.inserted, 0);
    assert_int_equal(f->rep.skipped, 3);
    assert_int_equal(n_ent(f), 3);
}

static void test_bad_check_char(void **state)
{
    Fixture *f = *state;

    assert_int_equal(run(f, "enterprises", DATA "ent_bad_check.csv", 1, 0),
                     ERR_INVALID);
    assert_int_equal(f->rep.invalid, 1);
    assert_int_equal(f->rep.errors_total, 1);
    assert_error(
        f, 0,
        "第 3 行「统一社会信用代码」：统一社会信用代码第18位校验码应为 "
        "X，实际为 Y");
    assert_int_equal(n_ent(f), 0);
    /* valid rows only */
    assert_int_equal(run(f, "enterprises", DATA "ent_bad_check.csv", 1, 1), 0);
    assert_int_equal(f->rep.inserted, 1);
    assert_int_equal(n_ent(f), 1);
}

static void test_duplicate_in_file_and_across(void **state)
{
    Fixture *f = *state;

    assert_int_equal(run(f, "enterprises", DATA "ent_dup.csv", 1, 0),
                     ERR_INVALID);
    assert_error(f, 0,
                 "第 4 行「统一社会信用代码」：统一社会信用代码 "
                 "91120102MA00000057 与第 2 行重复");
    assert_int_equal(n_ent(f), 0);
    assert_int_equal(run(f, "enterprises", DATA "ent_dup.csv", 1, 1), 0);
    assert_int_equal(n_ent(f), 2);
    /* across files: a second file with known codes updates them */
    assert_int_equal(run(f, "enterprises", DATA "ent_ok.csv", 1, 0), 0);
    assert_int_equal(n_ent(f), 5);
    assert_int_equal(run(f, "enterprises", DATA "ent_bad_check.csv", 1, 1), 0);
    assert_int_equal(f->rep.inserted, 0);
    assert_int_equal(f->rep.skipped, 1);
    assert_int_equal(n_ent(f), 5);
}

static void test_gbk(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char *name = NULL;

    assert_int_equal(run(f, "enterprises", DATA "ent_gbk.csv", 1, 0), 0);
    assert_string_equal(f->rep.encoding, "GB18030");
    apitest_uscc(12, code);
    assert_int_equal(db_query_text(f->db, &name, &f->e,
                                   "SELECT name FROM enterprises WHERE uscc "
                                   "= $1",
                                   "t", code),
                     0);
    assert_string_equal(name, "天津鑫淼科技有限公司");
    free(name);
}

static void test_bad_date_and_required(void **state)
{
    Fixture *f = *state;

    assert_int_equal(run(f, "enterprises", DATA "ent_bad_date.csv", 1, 0),
                     ERR_INVALID);
    assert_error(f, 0, "第 2 行「成立日期」：2021年2月没有30日");
    assert_int_equal(n_ent(f), 0);

    assert_int_equal(run(f, "enterprises", DATA "ent_empty_required.csv", 1, 0),
                     ERR_INVALID);
    assert_int_equal(f->rep.invalid, 1);
    assert_error(f, 0, "第 3 行「统一社会信用代码」：必填项为空");
    assert_int_equal(n_ent(f), 0);

    assert_int_equal(run(f, "enterprises", DATA "ent_missing_column.csv", 0, 0),
                     ERR_INVALID);
    assert_string_equal(f->e.msg,
                        "缺少必填列：“统一社会信用代码”（表头在第 1 行）");
}

static void test_unterminated_quote(void **state)
{
    Fixture *f = *state;

    assert_int_equal(run(f, "enterprises", DATA "ent_unterminated.csv", 1, 1),
                     ERR_INVALID);
    assert_string_equal(f->e.msg, "第 3 行第 2 列：引号未闭合");
    assert_int_equal(n_ent(f), 0);
}

static void test_figures(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char *s = NULL;

    assert_int_equal(run(f, "figures", DATA "fig_ok.csv", 1, 0), ERR_INVALID);
    assert_error(f, 0,
                 "第 2 行：统一社会信用代码 91120102MA0000001T 的企业不在企业库"
                 "中");
    load_ents(f);
    assert_int_equal(run(f, "figures", DATA "fig_ok.csv", 1, 0), 0);
    assert_int_equal(f->rep.inserted, 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_years"), 3);
    apitest_uscc(1, code);
    assert_int_equal(
        db_query_text(f->db, &s, &f->e,
                      "SELECT latest_year || '|' || latest_revenue || '|' || "
                      "latest_rd_bp FROM enterprises WHERE uscc = $1",
                      "t", code),
        0);
    assert_string_equal(s, "2024|12345678|652");
    free(s);

    assert_int_equal(run(f, "figures", DATA "fig_text_number.csv", 1, 0),
                     ERR_INVALID);
    assert_error(f, 0, "第 2 行「职工总数（人）」：“十二”不是整数");

    assert_int_equal(run(f, "figures", DATA "fig_money.csv", 1, 0),
                     ERR_INVALID);
    assert_int_equal(f->rep.invalid, 2);
    assert_error(f, 0, "第 2 行「销售收入（万元）」：金额不能为负数");
    assert_error(
        f, 1,
        "第 3 行「销售收入（万元）」：金额最多精确到 0.0001 万元（1 元）");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_years"), 3);
}

static void test_formula_cell(void **state)
{
    Fixture *f = *state;

    load_ents(f);
    assert_int_equal(run(f, "figures", DATA "fig_formula.xlsx", 1, 0),
                     ERR_INVALID);
    assert_error(
        f, 0,
        "第 2 行「总收入（万元）」：单元格是公式（=G2+100），请改为数值"
        "或文本后再导入");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_years"), 0);
}

static void test_xlsx_merged_title(void **state)
{
    Fixture *f = *state;
    char *s = NULL;

    assert_int_equal(run(f, "enterprises", DATA "ent_merged_title.xlsx", 1, 0),
                     0);
    assert_int_equal(f->rep.header_row, 3);
    assert_int_equal(f->rep.inserted, 2);
    s = rows_text(f,
                  "SELECT name || '/' || established_on || '/' || "
                  "registered_capital || '/' || tech_domain || '/' || "
                  "COALESCE(contact_phone, '') FROM enterprises ORDER BY uscc",
                  ";");
    assert_string_equal(s, "天津合并标题科技有限公司/2019-01-01/87109/1/;"
                           "天津表格科技有限公司/2020-02-29/15000000/2/"
                           "13800000000");
    free(s);
}

static void test_truncated_xlsx(void **state)
{
    Fixture *f = *state;

    assert_int_equal(run(f, "enterprises", DATA "truncated.xlsx", 1, 1),
                     ERR_INVALID);
    assert_string_equal(f->e.msg, "文件不是有效的 XLSX（Excel 2007 及以上）文件"
                                  "（文件可能不完整或已损坏）");
    assert_int_equal(n_ent(f), 0);
}

static void test_ip_owner_missing(void **state)
{
    Fixture *f = *state;
    char *s = NULL;

    load_ents(f);
    assert_int_equal(run(f, "ip", DATA "ip_owner.csv", 1, 0), ERR_INVALID);
    assert_error(f, 0,
                 "第 3 行：统一社会信用代码 91120102MA0000099W 的企业不在企业库"
                 "中");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM ip_rights"), 0);
    assert_int_equal(run(f, "ip", DATA "ip_owner.csv", 1, 1), 0);
    assert_int_equal(
        db_query_text(f->db, &s, &f->e,
                      "SELECT kind || '/' || klass || '/' || expires_on || '/' "
                      "|| status || '/' || COALESCE(CAST(main_product AS "
                      "TEXT), '未填') FROM ip_rights",
                      ""),
        0);
    /* the template's stated defaults apply (状态 有效, 到期 from the legal
     * term); 用于主要产品, which has none, stays not known */
    assert_string_equal(s, "invention/1/2041-01-04/valid/未填");
    free(s);
}

static void test_facts(void **state)
{
    Fixture *f = *state;

    load_ents(f);
    assert_int_equal(run(f, "facts", DATA "fact_ok.csv", 1, 0), ERR_INVALID);
    assert_error(f, 0, "第 4 行「子类」：事项类型“科技奖励”须填写子类");
    assert_int_equal(run(f, "facts", DATA "fact_ok.csv", 1, 1), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_facts WHERE "
                              "amount = 30000000 OR level = 'municipal'"),
                     2);
    /* again: the natural key finds them */
    assert_int_equal(run(f, "facts", DATA "fact_ok.csv", 1, 1), 0);
    assert_int_equal(f->rep.skipped, 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_facts"), 2);
}

/* The importer and the domain writer check a fact against the same rules
 * (recrule.c) and say the same: a level on a kind without levels (the
 * importer used to store it), 有效期止 before 有效期起. */
static void test_rules_shared(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char path[160];
    char want[1024];
    FactInput in;
    int64_t ent = 0, id = 0;
    Err e;
    FILE *fp;

    load_ents(f);
    apitest_uscc(1, code);
    snprintf(path, sizeof path, "%s/rules.csv", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "统一社会信用代码,事项类型,子类,级别,名称,发生日期,有效期起,"
            "有效期止\n"
            "%s,主导制定标准,国家标准,市级,产品规范,2023-01-01,,\n"
            "%s,信用记录,经营异常名录,,未公示年报,,2025-12-24,2025-06-01\n",
            code, code);
    fclose(fp);
    assert_int_equal(run(f, "facts", path, 1, 0), ERR_INVALID);
    assert_int_equal(f->rep.n_errors, 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_facts"), 0);
    assert_int_equal(db_query_int64(f->db, &ent, &e,
                                    "SELECT id FROM enterprises WHERE uscc = "
                                    "$1",
                                    "t", code),
                     0);

    memset(&in, 0, sizeof in);
    in.kind = "standard";
    in.subkind = "national";
    in.level = "municipal";
    in.title = "产品规范";
    in.occurred_on = "2023-01-01";
    assert_int_equal(fact_create(f->db, &f->sys, ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "level");
    snprintf(want, sizeof want, "第 2 行「级别」：%s", e.msg);
    assert_error(f, 0, want);

    memset(&in, 0, sizeof in);
    in.kind = "credit_flag";
    in.subkind = "abnormal_operation";
    in.title = "未公示年报";
    in.valid_from = "2025-12-24";
    in.valid_to = "2025-06-01";
    assert_int_equal(fact_create(f->db, &f->sys, ent, &in, NULL, &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "valid_to");
    snprintf(want, sizeof want, "第 3 行「有效期止」：%s", e.msg);
    assert_error(f, 1, want);
}

/* A value entered by a user is kept; the import's is listed. */
static void test_conflict(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char path[160];
    FILE *fp;

    load_ents(f);
    apitest_uscc(1, code);
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE enterprises SET src_kind = 'user', "
                               "address = '用户填写的地址' WHERE uscc = $1",
                               "t", code),
                     0);
    snprintf(path, sizeof path, "%s/c.csv", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "统一社会信用代码,地址,法定代表人\n%s,导入的地址,赵六\n", code);
    fclose(fp);
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.conflicts, 2); /* address and legal_rep differ */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE address "
                              "= '用户填写的地址' AND legal_rep = '张三'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM import_conflicts WHERE "
                              "field = 'address' AND existing_value = "
                              "'用户填写的地址' AND incoming_value = "
                              "'导入的地址' AND status = 'open'"),
                     1);
    /* an import-sourced value is simply overwritten, with field provenance */
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE enterprises SET src_kind = 'import' "
                               "WHERE uscc = $1",
                               "t", code),
                     0);
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.updated, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE address "
                              "= '导入的地址'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM field_provenance WHERE "
                              "field IN ('address', 'legal_rep') AND "
                              "src_kind = 'import'"),
                     2);
}

/* Write a two-column file renaming enterprise 1 to name. */
static void write_rename(Fixture *f, const char *path, const char *name)
{
    char code[USCC_LEN + 1];
    FILE *fp;

    apitest_uscc(1, code);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "统一社会信用代码,企业名称\n%s,%s\n", code, name);
    fclose(fp);
}

/* A rename by import keeps the old name as a former name, a rename back
 * takes it off the list, and so does accepting a name from a conflict. */
static void test_rename_former_names(void **state)
{
    Fixture *f = *state;
    char path[160];
    int64_t cid = 0;

    load_ents(f);
    snprintf(path, sizeof path, "%s/r.csv", f->dir);
    write_rename(f, path, "天津甲新材料有限公司");
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.updated, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_names WHERE "
                              "name = '天津甲科技有限公司'"),
                     1);
    write_rename(f, path, "天津甲科技有限公司");
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE name = "
                              "'天津甲科技有限公司'"),
                     1);
    {
        char *names =
            rows_text(f, "SELECT name FROM enterprise_names ORDER BY id", ",");
        assert_string_equal(names, "天津甲新材料有限公司");
        free(names);
    }
    /* a name the user entered: the import's name waits as a conflict */
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE enterprises SET src_kind = 'user' "
                               "WHERE name = '天津甲科技有限公司'",
                               ""),
                     0);
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE field_provenance SET src_kind = 'user' "
                               "WHERE field = 'name'",
                               ""),
                     0);
    write_rename(f, path, "天津甲智能有限公司");
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.conflicts, 1);
    assert_int_equal(db_query_int64(f->db, &cid, &f->e,
                                    "SELECT id FROM import_conflicts WHERE "
                                    "field = 'name' AND status = 'open'",
                                    ""),
                     0);
    assert_int_equal(
        import_conflict_resolve(f->db, &f->sys, cid, "incoming", &f->e), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE name = "
                              "'天津甲智能有限公司'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_names WHERE "
                              "name IN ('天津甲科技有限公司', "
                              "'天津甲新材料有限公司')"),
                     2);
}

/* The schema as text: bulk-load mode must leave it as it found it. */
static char *schema(Fixture *f)
{
    char *s = NULL;
    Err e;

    (void)e;
    if (db_is_postgres(f->db)) {
        s = rows_text(f,
                      "SELECT tablename || ' ' || indexname || ' ' || "
                      "indexdef FROM pg_indexes WHERE schemaname = 'public' "
                      "ORDER BY tablename, indexname",
                      "\n");
    } else {
        s = rows_text(f,
                      "SELECT type || ' ' || name || ' ' || COALESCE(sql, "
                      "'') FROM sqlite_master ORDER BY type, name",
                      "\n");
    }
    assert_non_null(s);
    return s;
}

/* Write n generated enterprises (codes from first) to path; bad_last:
 * the last row gets a wrong check character. */
static void write_enterprises(const char *path, int first, int n, int bad_last)
{
    char code[USCC_LEN + 1];
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fprintf(fp, "统一社会信用代码,企业名称,注册资本（万元）\n");
    for (int i = 0; i < n; i++) {
        apitest_uscc(first + i, code);
        if (bad_last && i == n - 1) {
            code[17] = code[17] == '0' ? '1' : '0';
        }
        fprintf(fp, "%s,测试企业%06d,%d.5\n", code, i, i % 1000);
    }
    fclose(fp);
}

/* 100 000 generated rows, imported and counted. The import runs in
 * bulk-load mode (indexes and search triggers dropped and rebuilt): the
 * schema is the same afterwards and both search indexes hold what their
 * triggers would have written. */
static void test_100k(void **state)
{
    Fixture *f = *state;
    char path[160];
    char code[USCC_LEN + 1];
    char *before = schema(f), *after;
    FILE *fp;
    int i;

    snprintf(path, sizeof path, "%s/big.csv", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "统一社会信用代码,企业名称,注册资本（万元）\n");
    for (i = 0; i < 100000; i++) {
        apitest_uscc(100000 + i, code);
        fprintf(fp, "%s,测试企业%06d,%d.5\n", code, i, i % 1000);
    }
    fclose(fp);
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.rows, 100000);
    assert_int_equal(n_ent(f), 100000);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE "
                              "registered_capital = 9995000"),
                     100);
    after = schema(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    if (!db_search_fts(f->db)) {
        return; /* PostgreSQL: no FTS tables to check (search hook) */
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams g JOIN "
                              "enterprise_gram_text t ON t.id = g.rowid AND "
                              "t.g = g.g"),
                     100000);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_fts f JOIN "
                              "enterprises e ON e.id = f.rowid AND f.uscc = "
                              "e.uscc AND f.names = e.name"),
                     100000);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams WHERE "
                              "enterprise_grams MATCH '99'"),
                     count(f,
                           "SELECT COUNT(*) FROM enterprises WHERE "
                           "instr(name, '99') > 0 OR instr(uscc, '99') > 0"));
}

static int fail_commit(void *ud, Db *db, const ImportReport *r, Err *e)
{
    (void)ud;
    (void)db;
    (void)r;
    return err_set(e, ERR_INTERNAL, NULL, "测试：提交前失败");
}

/* A bulk-load import that fails after its rows reached the table (the
 * step just before the commit fails) leaves neither rows nor a changed
 * schema. A bad row in mode all fails in the validation, before any row
 * is written. */
static void test_bulk_rollback(void **state)
{
    Fixture *f = *state;
    char path[160];
    char *before = schema(f), *after;
    ImportOpts o;

    snprintf(path, sizeof path, "%s/bad.csv", f->dir);
    write_enterprises(path, 300000, 60000, 1);
    assert_int_equal(run(f, "enterprises", path, 1, IMPORT_MODE_ALL),
                     ERR_INVALID);
    assert_int_equal(f->rep.invalid, 1);
    assert_int_equal(n_ent(f), 0);

    write_enterprises(path, 300000, 60000, 0);
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.on_commit = fail_commit;
    import_report_free(&f->rep);
    import_report_init(&f->rep, columns_kind_find("enterprises"));
    assert_int_equal(import_file(f->db, &f->sys,
                                 columns_kind_find("enterprises"), path, &o,
                                 &f->rep, &f->e),
                     ERR_INTERNAL);
    assert_int_equal(n_ent(f), 0);
    if (db_search_fts(f->db)) {
        assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams"), 0);
    }
    after = schema(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* A write by someone else, on a connection of its own, while the import
 * validates (check_hook). */
typedef struct Concurrent {
    Fixture *f;
    const char *sql; /* NULL: create a unit through the domain */
    int called;
    int rc;
    char msg[ERR_MSG_MAX];
} Concurrent;

static void concurrent_write(void *ud)
{
    Concurrent *c = ud;
    Db *db = NULL;
    OrgInput oi;
    int64_t id;
    Err e;

    c->called++;
    err_clear(&e);
    c->rc = db_open(&db, c->f->path, &e);
    if (c->rc == 0 && c->sql) {
        c->rc = db_exec(db, c->sql, &e);
    } else if (c->rc == 0) {
        memset(&oi, 0, sizeof oi);
        oi.parent_id = c->f->root;
        oi.kind = "subdistrict";
        oi.name = "校验期间新建的街道";
        c->rc = org_create(db, &c->f->sys, &oi, &id, &e);
    }
    snprintf(c->msg, sizeof c->msg, "%s", e.msg);
    db_close(db);
}

/* Issue item 4: an import's validation does not hold the write lock.
 * While a 20 000-row file is being checked, another user's write (a new
 * unit, through the domain) succeeds instead of waiting for the lock and
 * failing busy; the import then writes all its rows. */
static void test_validate_without_write_lock(void **state)
{
    Fixture *f = *state;
    char path[160];
    Concurrent c;
    ImportOpts o;

    snprintf(path, sizeof path, "%s/big.csv", f->dir);
    write_enterprises(path, 500000, 20000, 0);
    memset(&c, 0, sizeof c);
    c.f = f;
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.check_hook = concurrent_write;
    o.hook_ud = &c;
    import_report_init(&f->rep, columns_kind_find("enterprises"));
    assert_int_equal(import_file(f->db, &f->sys,
                                 columns_kind_find("enterprises"), path, &o,
                                 &f->rep, &f->e),
                     0);
    assert_int_equal(c.called, 1);
    if (c.rc != 0) {
        fprintf(stderr, "concurrent write: %d %s\n", c.rc, c.msg);
    }
    assert_int_equal(c.rc, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM org_units WHERE name = "
                              "'校验期间新建的街道'"),
                     1);
    assert_int_equal(f->rep.inserted, 20000);
    assert_int_equal(n_ent(f), 20000);
}

/* What changed between the validation and the write is checked again
 * under the write lock: an enterprise retired while its figures were
 * being validated makes the row invalid, and mode all writes nothing. */
static void test_recheck_after_validation(void **state)
{
    Fixture *f = *state;
    char code[USCC_LEN + 1];
    char sql[200];
    Concurrent c;
    ImportOpts o;

    load_ents(f);
    apitest_uscc(2, code);
    snprintf(sql, sizeof sql,
             "UPDATE enterprises SET retired_at = '2025-01-01T00:00:00Z' "
             "WHERE uscc = '%s'",
             code);
    memset(&c, 0, sizeof c);
    c.f = f;
    c.sql = sql;
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.mode = IMPORT_MODE_ALL;
    o.check_hook = concurrent_write;
    o.hook_ud = &c;
    import_report_free(&f->rep);
    import_report_init(&f->rep, columns_kind_find("figures"));
    assert_int_equal(import_file(f->db, &f->sys, columns_kind_find("figures"),
                                 DATA "fig_ok.csv", &o, &f->rep, &f->e),
                     ERR_INVALID);
    assert_int_equal(c.called, 1);
    assert_int_equal(c.rc, 0);
    assert_int_equal(f->rep.invalid, 1);
    assert_error(f, 0,
                 "第 4 行：统一社会信用代码 91120102MA0000002X 的企业不在企业库"
                 "中");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_years"), 0);
}

/* The spool of an apply stops when the disk would keep less than the
 * reserve: nothing is written; a dry run needs no spool. */
static void test_spool_disk_reserve(void **state)
{
    Fixture *f = *state;
    ImportLimits l;
    int rc;

    memset(&l, 0, sizeof l);
    l.disk_reserve = INT64_MAX / 2;
    import_limits_set(&l);
    assert_int_equal(run(f, "enterprises", DATA "ent_ok.csv", 0, 0), 0);
    rc = run(f, "enterprises", DATA "ent_ok.csv", 1, 0);
    import_limits_set(NULL);
    assert_int_equal(rc, ERR_THROTTLED);
    assert_string_equal(f->e.msg,
                        "服务器磁盘空间不足，导入未写入任何数据，请联系管理员");
    assert_int_equal(n_ent(f), 0);
}

static char *job_text(Fixture *f, int64_t id, const char *expr)
{
    char sql[200];
    char *s = NULL;

    snprintf(sql, sizeof sql, "SELECT %s FROM jobs WHERE id = $1", expr);
    assert_int_equal(db_query_text(f->db, &s, &f->e, sql, "i", id), 0);
    return s;
}

/* Issue item 8: the process dies right after an import's write committed,
 * before the worker returns to store the job's state. The state was
 * committed with the rows: the job is done with its counts, and stays so
 * through the start-up recovery. */
static void test_crash_after_apply_commit(void **state)
{
    Fixture *f = *state;
    int64_t id = 0;
    char *s;

    job_test_crash_after_work(1);
    assert_int_equal(import_start(f->db, f->path, &f->sys,
                                  columns_kind_find("enterprises"),
                                  "ent_ok.csv", DATA "ent_ok.csv", 0, 0,
                                  IMPORT_MODE_ALL, &id, &f->e),
                     0);
    job_wait_all(0);
    job_test_crash_after_work(0);
    assert_int_equal(n_ent(f), 3);
    s = job_text(f, id,
                 "status || '/' || CASE WHEN finished_at IS NOT NULL THEN "
                 "'1' ELSE '0' END");
    assert_string_equal(s, "done/1");
    free(s);
    assert_int_equal(job_recover(f->db, &f->e), 0);
    s = job_text(f, id, "status");
    assert_string_equal(s, "done");
    free(s);
    s = job_result(f, id, 0);
    assert_string_equal(s, "applied/3");
    free(s);
}

/* Start-up recovery of a job left running: an import whose write has its
 * audit entry (it committed) is done with the entry's counts; one without
 * is failed. */
static void test_recover_from_audit(void **state)
{
    Fixture *f = *state;
    int64_t done_id = 0, dead_id = 0;
    json_t *after;
    char *s;

    assert_int_equal(
        job_create(f->db, &f->sys, "import.figures", NULL, &done_id, &f->e), 0);
    assert_int_equal(
        job_create(f->db, &f->sys, "import.figures", NULL, &dead_id, &f->e), 0);
    assert_int_equal(db_exec(f->db,
                             "UPDATE jobs SET status = 'running', result = "
                             "'{\"stage\":\"validated\",\"summary\":"
                             "{\"rows\":5,\"valid\":4}}'",
                             &f->e),
                     0);
    after = json_pack("{sssIsIsIsIsIsIsI}", "kind", "figures", "job_id",
                      (json_int_t)done_id, "rows", (json_int_t)5, "inserted",
                      (json_int_t)3, "updated", (json_int_t)1, "skipped",
                      (json_int_t)0, "invalid", (json_int_t)1, "conflicts",
                      (json_int_t)0);
    assert_int_equal(db_begin(f->db, &f->e), 0);
    assert_int_equal(audit_record(f->db, &f->sys, "import.apply", "import",
                                  done_id, "/", NULL, after, &f->e),
                     0);
    assert_int_equal(db_commit(f->db, &f->e), 0);
    json_decref(after);
    assert_int_equal(job_recover(f->db, &f->e), 0);
    s = job_text(f, done_id, "status");
    assert_string_equal(s, "done");
    free(s);
    s = job_result(f, done_id, 1);
    assert_string_equal(s, "applied/3/4");
    free(s);
    s = job_text(f, dead_id, "status || '/' || error_message");
    assert_string_equal(s, "failed/服务重启，任务中断");
    free(s);
}

/* Issue 14 item 4: the apply step of an uploaded import was started on an
 * instance that stopped before its write committed. The sweep of this
 * instance runs it again from the job's row (the staged upload in the data
 * directory, the step and mode in params.run) to the result a first run
 * gives: done, 3 enterprises written once, one import.apply entry. */
static void test_takeover_reruns_apply(void **state)
{
    Fixture *f = *state;
    char past[CLOCK_ISO_LEN];
    char *data = NULL, *s = NULL, *text;
    json_t *params, *run;
    size_t len = 0;
    int64_t id = 0;
    int taken = -1;
    FILE *fp = fopen(DATA "ent_ok.csv", "rb");

    assert_non_null(fp);
    data = malloc(4096);
    len = fread(data, 1, 4096, fp);
    fclose(fp);
    assert_true(len > 0 && len < 4096);
    assert_int_equal(import_submit(f->db, f->path, &f->sys,
                                   columns_kind_find("enterprises"),
                                   "ent_ok.csv", data, len, 1, IMPORT_MODE_ALL,
                                   0, &id, &f->e),
                     0);
    free(data);
    job_wait_all(0);
    s = job_text(f, id, "status");
    assert_string_equal(s, "validated");
    free(s);
    /* what import_apply records, then the claim by instance other:1:1,
     * which stopped before it committed anything */
    s = job_text(f, id, "params");
    params = json_loads(s, 0, NULL);
    free(s);
    assert_non_null(params);
    run = json_object_get(params, "run");
    assert_true(json_is_object(run));
    json_object_set_new(run, "apply", json_true());
    json_object_set_new(run, "mode", json_string("all"));
    text = json_dumps(params, JSON_COMPACT);
    json_decref(params);
    clock_now_iso(past, -1);
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE jobs SET status = 'running', params = "
                               "$1, lease_owner = 'other:1:1', lease_until = "
                               "$2 WHERE id = $3",
                               "tti", text, past, id),
                     0);
    free(text);
    assert_int_equal(n_ent(f), 0);
    job_set_kinds(api_job_kinds);
    assert_int_equal(job_sweep(f->db, &taken, &f->e), 0);
    job_wait_all(0);
    job_set_kinds(NULL);
    assert_int_equal(taken, 1);
    s = job_text(f, id, "status");
    assert_string_equal(s, "done");
    free(s);
    s = job_text(f, id, "lease_owner");
    assert_string_equal(s, job_instance());
    free(s);
    s = job_result(f, id, 0);
    assert_string_equal(s, "applied/3");
    free(s);
    assert_int_equal(n_ent(f), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'import.apply'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'job.takeover'"),
                     1);
    /* nothing left to take over; the write is not repeated */
    assert_int_equal(job_sweep(f->db, &taken, &f->e), 0);
    assert_int_equal(taken, 0);
    assert_int_equal(n_ent(f), 3);
}

/* Start-up recovery (the single instance killed during the apply step and
 * restarted) runs an import again like a take-over; one whose staged
 * upload is gone cannot be: failed "interrupted" with the zh-CN reason,
 * nothing written, audited job.takeover. */
static void test_recover_upload_gone(void **state)
{
    Fixture *f = *state;
    char past[CLOCK_ISO_LEN], dir[1024], path[1100];
    char *data = NULL, *s = NULL;
    size_t len = 0;
    int64_t id = 0;
    FILE *fp = fopen(DATA "ent_ok.csv", "rb");

    assert_non_null(fp);
    data = malloc(4096);
    len = fread(data, 1, 4096, fp);
    fclose(fp);
    assert_true(len > 0 && len < 4096);
    assert_int_equal(import_submit(f->db, f->path, &f->sys,
                                   columns_kind_find("enterprises"),
                                   "ent_ok.csv", data, len, 1, IMPORT_MODE_ALL,
                                   0, &id, &f->e),
                     0);
    free(data);
    job_wait_all(0);
    clock_now_iso(past, -1);
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE jobs SET status = 'running', "
                               "lease_owner = 'vm:1:1', lease_until = $1 "
                               "WHERE id = $2",
                               "ti", past, id),
                     0);
    assert_int_equal(import_stage_dir(f->path, dir, sizeof dir, &f->e), 0);
    snprintf(path, sizeof path, "%s/%lld.upload", dir, (long long)id);
    assert_int_equal(unlink(path), 0);
    job_set_kinds(api_job_kinds);
    assert_int_equal(job_recover(f->db, &f->e), 0);
    job_wait_all(0);
    job_set_kinds(NULL);
    s = job_text(f, id, "status || '/' || error_code");
    assert_string_equal(s, "failed/interrupted");
    free(s);
    s = job_text(f, id, "error_message");
    assert_non_null(strstr(s, "上传的文件"));
    free(s);
    assert_int_equal(n_ent(f), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'job.takeover'"),
                     1);
}

/* Yearly figures for 12 000 new enterprises: the derived list columns are
 * refreshed with their indexes rebuilt, and match the figures. */
static void test_bulk_figures(void **state)
{
    Fixture *f = *state;
    char path[160], code[USCC_LEN + 1];
    char *before, *after;
    FILE *fp;

    snprintf(path, sizeof path, "%s/ent.csv", f->dir);
    write_enterprises(path, 400000, 12000, 0);
    assert_int_equal(run(f, "enterprises", path, 1, IMPORT_MODE_ALL), 0);
    before = schema(f);
    snprintf(path, sizeof path, "%s/fig.csv", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "统一社会信用代码,年度,销售收入（万元）,研发费用（万元）\n");
    for (int i = 0; i < 12000; i++) {
        apitest_uscc(400000 + i, code);
        fprintf(fp, "%s,2024,%d,%d\n", code, 100 + i % 900, i % 50);
        fprintf(fp, "%s,2025,%d,%d\n", code, 200 + i % 900, i % 70);
    }
    fclose(fp);
    assert_int_equal(run(f, "figures", path, 1, IMPORT_MODE_ALL), 0);
    assert_int_equal(f->rep.inserted, 24000);
    after = schema(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises e JOIN "
                              "enterprise_years y ON y.enterprise_id = e.id "
                              "AND y.year = 2025 WHERE e.latest_year = 2025 "
                              "AND e.latest_revenue = y.sales_revenue AND "
                              "e.latest_rd_bp = y.rd_expense * 10000 / "
                              "y.sales_revenue"),
                     12000);
}

/* Export -> change one cell -> import: that value changed, nothing else. */
static void test_round_trip(void **state)
{
    Fixture *f = *state;
    char path[160], path2[160];
    char *before = NULL, *after = NULL;
    Buf b;
    FILE *fp;
    char *p;
    const char *snap = "SELECT uscc || name || unit_id || "
                       "COALESCE(address, '') || COALESCE(legal_rep, '') || "
                       "COALESCE(established_on, '') || "
                       "COALESCE(CAST(registered_capital AS TEXT), '') || "
                       "COALESCE(industry_code, '') || "
                       "COALESCE(CAST(tech_domain AS TEXT), '') || "
                       "listing_status || COALESCE(contact_phone, '') || "
                       "COALESCE(contact_email, '') FROM enterprises ORDER BY "
                       "uscc";

    load_ents(f);
    assert_int_equal(run(f, "enterprises", DATA "ent_merged_title.xlsx", 1, 0),
                     0);
    /* a formula-like text: neutralised in the CSV, unchanged after import */
    assert_int_equal(db_exec_v(f->db, &f->e,
                               "UPDATE enterprises SET note = "
                               "'=HYPERLINK(\"http://x\")' WHERE name = "
                               "'天津甲科技有限公司'",
                               ""),
                     0);
    before = rows_text(f, snap, ";");
    snprintf(path, sizeof path, "%s/export.xlsx", f->dir);
    assert_int_equal(lib_export_file(f->db, &f->sys,
                                     columns_kind_find("enterprises"),
                                     LIB_EXPORT_XLSX, 0, 0, path, &f->e),
                     0);
    assert_int_equal(run(f, "enterprises", path, 1, 0), 0);
    assert_int_equal(f->rep.rows, 5);
    assert_int_equal(f->rep.skipped, 5);
    after = rows_text(f, snap, ";");
    assert_string_equal(before, after);
    free(after);

    snprintf(path2, sizeof path2, "%s/export.csv", f->dir);
    assert_int_equal(lib_export_file(f->db, &f->sys,
                                     columns_kind_find("enterprises"),
                                     LIB_EXPORT_CSV, 0, 0, path2, &f->e),
                     0);
    buf_init(&b, 1 << 20);
    fp = fopen(path2, "rb");
    assert_non_null(fp);
    {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
            buf_append(&b, chunk, n);
        }
    }
    fclose(fp);
    assert_non_null(strstr(b.data, "\"'=HYPERLINK(\"\"http://x\"\")\""));
    p = strstr(b.data, "天津乙科技有限公司");
    assert_non_null(p);
    memcpy(p, "天津丁", strlen("天津丁"));
    fp = fopen(path2, "wb");
    fwrite(b.data, 1, b.len, fp);
    fclose(fp);
    buf_release(&b);
    assert_int_equal(run(f, "enterprises", path2, 1, 0), 0);
    assert_int_equal(f->rep.updated, 1);
    assert_int_equal(f->rep.skipped, 4);
    after = rows_text(f, snap, ";");
    p = strstr(before, "天津乙科技有限公司");
    assert_non_null(p);
    memcpy(p, "天津丁", strlen("天津丁"));
    assert_string_equal(before, after);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_names WHERE "
                              "name = '天津乙科技有限公司'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE note = "
                              "'=HYPERLINK(\"http://x\")'"),
                     1);
    free(before);
    free(after);
}

static void test_templates(void **state)
{
    Fixture *f = *state;
    char path[160];
    Buf b;
    int k;

    for (k = 0; k < XK_N; k++) {
        const ColumnKind *kind = columns_kind(k);
        buf_init(&b, 1 << 16);
        assert_int_equal(columns_template_csv(kind, &b, &f->e), 0);
        assert_memory_equal(b.data, "\xEF\xBB\xBF统一社会信用代码,", 28);
        buf_release(&b);
        snprintf(path, sizeof path, "%s/t%d.xlsx", f->dir, k);
        assert_int_equal(columns_template_xlsx(kind, path, &f->e), 0);
        /* an empty template is a file without data rows */
        assert_int_equal(run(f, kind->code, path, 0, 0), ERR_INVALID);
        assert_string_equal(f->e.msg, "表头以下没有数据行");
    }
}

/* Write text to <dir>/name and return the path in out. */
static void write_file(Fixture *f, const char *name, const char *text,
                       char *out, size_t cap)
{
    FILE *fp;

    snprintf(out, cap, "%s/%s", f->dir, name);
    fp = fopen(out, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Declarations (申报事项): the value in the unit of its 申报事项, 年度 only
 * for yearly fields (the declarations rule table), a blank 申报值 is an
 * error (unknown is no row, never 否), all-or-nothing, and an export
 * imports again with every row unchanged. */
static void test_declarations(void **state)
{
    Fixture *f = *state;
    char a[USCC_LEN + 1], b[USCC_LEN + 1], text[2048], file[160], path[160];
    char *before, *after;
    const char *snap =
        "SELECT e.uscc || '|' || d.field || '|' || CAST(d.year AS TEXT) || "
        "'|' || CAST(d.value AS TEXT) || '|' || COALESCE(d.valid_from, '') || "
        "'|' || COALESCE(d.valid_to, '') || '|' || COALESCE(d.note, '') FROM "
        "enterprise_declarations d JOIN enterprises e ON e.id = "
        "d.enterprise_id ORDER BY e.uscc, d.field, d.year";

    load_ents(f);
    apitest_uscc(1, a);
    apitest_uscc(2, b);
    snprintf(text, sizeof text,
             "统一社会信用代码,申报事项,年度,申报值,有效期起,有效期止,备注\n"
             "%s,产品或服务属于禁止、限制和淘汰类,2024,否,,,\n"
             "%s,科技成果转化项数,,3,,,\n"
             "%s,conversions,2024,三,,,\n"
             "%s,实行查账征收,,,,,\n"
             "%s,accounting_sound,,是,2025-01-01,2024-01-01,\n"
             "%s,估值,,100,,,\n",
             a, a, a, a, a, a);
    write_file(f, "decl_bad.csv", text, file, sizeof file);
    assert_int_equal(run(f, "declarations", file, 1, 0), ERR_INVALID);
    assert_int_equal(f->rep.invalid, 6);
    assert_error(f, 0,
                 "第 2 行「年度」：产品或服务属于禁止、限制和淘汰类不分年度，"
                 "年度请留空");
    assert_error(f, 1,
                 "第 3 行「年度」：科技成果转化项数是年度数据，须填写年度");
    assert_error(f, 2, "第 4 行「申报值」：科技成果转化项数：“三”不是整数");
    assert_error(f, 3, "第 5 行「申报值」：必填项为空");
    assert_error(f, 4,
                 "第 6 行「有效期止」：有效期止不能早于有效期起（有效期起 "
                 "2025-01-01，有效期止 2024-01-01）");
    assert_non_null(strstr(f->rep.errors[5].message, "“估值”不是可选的值"));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_declarations"),
                     0);

    snprintf(text, sizeof text,
             "统一社会信用代码,申报事项,年度,申报值,有效期起,有效期止,备注\n"
             "%s,产品或服务属于禁止、限制和淘汰类,,否,,,市场监管局核查\n"
             "%s,科技成果转化项数,2024,3,,,\n"
             "%s,conversions,2023,1,,,\n"
             "%s,企业估值（美元）,,12.5,,,\n"
             "%s,从事特定细分市场年限,,4,2024-01-01,2026-12-31,\n"
             "%s,有效期内的高新技术企业证书,,是,2023-12-01,2026-11-30,\n",
             a, a, a, a, b, b);
    write_file(f, "decl_ok.csv", text, file, sizeof file);
    assert_int_equal(run(f, "declarations", file, 1, 0), 0);
    assert_int_equal(f->rep.inserted, 6);
    before = rows_text(f, snap, ";");
    assert_non_null(
        strstr(before, "|prohibited_industry|0|0|||市场监管局核查"));
    assert_non_null(strstr(before, "|conversions|2024|3|||"));
    assert_non_null(strstr(before, "|valuation_usd|0|125000|||"));
    assert_non_null(strstr(before, "|niche_years|0|4|2024-01-01|2026-12-31|"));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_declarations "
                              "WHERE src_kind = 'import'"),
                     6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'import.apply'"),
                     2); /* the enterprises' import and this one */

    /* export -> import: nothing changes, as CSV and as XLSX */
    snprintf(path, sizeof path, "%s/decl.csv", f->dir);
    assert_int_equal(lib_export_file(f->db, &f->sys,
                                     columns_kind_find("declarations"),
                                     LIB_EXPORT_CSV, 0, 0, path, &f->e),
                     0);
    assert_int_equal(run(f, "declarations", path, 1, 0), 0);
    assert_int_equal(f->rep.rows, 6);
    assert_int_equal(f->rep.skipped, 6);
    snprintf(path, sizeof path, "%s/decl.xlsx", f->dir);
    assert_int_equal(lib_export_file(f->db, &f->sys,
                                     columns_kind_find("declarations"),
                                     LIB_EXPORT_XLSX, 0, 0, path, &f->e),
                     0);
    assert_int_equal(run(f, "declarations", path, 1, 0), 0);
    assert_int_equal(f->rep.skipped, 6);
    after = rows_text(f, snap, ";");
    assert_string_equal(before, after);
    free(after);

    /* a changed value updates the row; a blank 有效期 leaves it */
    snprintf(text, sizeof text,
             "统一社会信用代码,申报事项,年度,申报值\n"
             "%s,产品或服务属于禁止、限制和淘汰类,,是\n"
             "%s,从事特定细分市场年限,,4\n",
             a, b);
    write_file(f, "decl_upd.csv", text, file, sizeof file);
    assert_int_equal(run(f, "declarations", file, 1, 0), 0);
    assert_int_equal(f->rep.updated, 1);
    assert_int_equal(f->rep.skipped, 1);
    after = rows_text(f, snap, ";");
    assert_non_null(strstr(after, "|prohibited_industry|0|1|||市场监管局核查"));
    assert_non_null(strstr(after, "|niche_years|0|4|2024-01-01|2026-12-31|"));
    free(after);
    free(before);
}

/* New enterprises with a blank 所属单位 filed under the district root (it
 * has streets) are counted in the report with a warning naming the unit;
 * updates with a blank 所属单位 are not; the report splits new, updated
 * and unchanged rows. */
static void test_blank_unit_warning(void **state)
{
    Fixture *f = *state;
    char a[USCC_LEN + 1], b[USCC_LEN + 1], c[USCC_LEN + 1], d[USCC_LEN + 1];
    char text[1024], file[160];
    json_t *j, *w;

    apitest_uscc(31, a);
    apitest_uscc(32, b);
    apitest_uscc(33, c);
    apitest_uscc(34, d);
    snprintf(text, sizeof text,
             "统一社会信用代码,企业名称,所属单位\n%s,甲,大王庄街道\n"
             "%s,乙,大王庄街道\n",
             a, b);
    write_file(f, "one.csv", text, file, sizeof file);
    assert_int_equal(run(f, "enterprises", file, 1, 0), 0);
    assert_int_equal(f->rep.blank_unit, 0);

    snprintf(text, sizeof text,
             "统一社会信用代码,企业名称,所属单位\n%s,甲新名,\n%s,乙,\n"
             "%s,丙,\n%s,丁,\n",
             a, b, c, d);
    write_file(f, "two.csv", text, file, sizeof file);
    assert_int_equal(run(f, "enterprises", file, 0, 0), 0);
    assert_int_equal(f->rep.inserted, 2);
    assert_int_equal(f->rep.updated, 1);
    assert_int_equal(f->rep.skipped, 1);
    assert_int_equal(f->rep.blank_unit, 2);
    assert_string_equal(f->rep.blank_unit_name, "河东区");
    j = import_report_json(&f->rep, 10);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(j, "summary"), "unchanged")),
                     1);
    w = json_array_get(json_object_get(j, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "message")),
                        "2 家新企业的所属单位为空，将登记在“河东区”（区级），"
                        "各街道看不到；请填写所属单位，或确认后导入");
    json_decref(j);
    /* written: the new ones under the root, the updated one keeps its unit */
    assert_int_equal(run(f, "enterprises", file, 1, 0), 0);
    assert_int_equal(f->rep.blank_unit, 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE "
                              "unit_id = (SELECT id FROM org_units WHERE "
                              "parent_id IS NULL)"),
                     2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprises WHERE "
                              "unit_id = (SELECT id FROM org_units WHERE "
                              "name = '大王庄街道')"),
                     2);
}

typedef struct RowsSeen {
    int n;
    long rows[4];
    char c0[4][64], c5[4][64];
} RowsSeen;

static int rows_seen(void *ud, long row, const char *const *cells, size_t n,
                     Err *e)
{
    RowsSeen *w = ud;

    (void)e;
    assert_true(w->n < 4);
    assert_true(n >= 6);
    w->rows[w->n] = row;
    snprintf(w->c0[w->n], sizeof w->c0[0], "%s", cells[0]);
    snprintf(w->c5[w->n], sizeof w->c5[0], "%s", cells[5]);
    w->n++;
    return 0;
}

/* The rows of a file as they are (for the error report): the header row
 * and the rows asked for, XLSX date cells as dates. */
static void test_file_rows(void **state)
{
    RowsSeen w;
    const long want[] = {4};
    Err e;

    (void)state;
    memset(&w, 0, sizeof w);
    assert_int_equal(import_file_rows(DATA "ent_merged_title.xlsx", 3, want, 1,
                                      rows_seen, &w, &e),
                     0);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.rows[0], 3);
    assert_string_equal(w.c0[0], "统一社会信用代码");
    assert_int_equal(w.rows[1], 4);
    assert_string_equal(w.c5[1], "2019-01-01");
}

/* The 所属单位 lookups remembered while validating are not trusted by the
 * write: a unit renamed by someone else between the two passes makes
 * every row naming it invalid, and nothing is written. */
static void test_unit_recheck_after_validation(void **state)
{
    Fixture *f = *state;
    char path[160];
    const char *err;
    Concurrent c;
    ImportOpts o;

    write_file(f, "units.csv",
               "统一社会信用代码,企业名称,所属单位\n"
               "91120102MA0000001T,天津甲科技有限公司,大王庄街道\n"
               "91120102MA0000002X,天津乙科技有限公司,大王庄街道\n"
               "91120102MA00000031,天津丙科技有限公司,河东区\n",
               path, sizeof path);
    assert_int_equal(run(f, "enterprises", path, 0, IMPORT_MODE_ALL), 0);
    assert_int_equal(f->rep.invalid, 0);
    memset(&c, 0, sizeof c);
    c.f = f;
    c.sql = "UPDATE org_units SET name = '大王庄街道（旧）' WHERE name = "
            "'大王庄街道'";
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.mode = IMPORT_MODE_ALL;
    o.check_hook = concurrent_write;
    o.hook_ud = &c;
    import_report_free(&f->rep);
    import_report_init(&f->rep, columns_kind_find("enterprises"));
    assert_int_equal(import_file(f->db, &f->sys,
                                 columns_kind_find("enterprises"), path, &o,
                                 &f->rep, &f->e),
                     ERR_INVALID);
    assert_int_equal(c.called, 1);
    assert_int_equal(c.rc, 0);
    assert_int_equal(f->rep.invalid, 2);
    err = f->rep.n_errors > 0 ? f->rep.errors[0].message : "";
    assert_non_null(strstr(err, "单位“大王庄街道”不存在"));
    assert_int_equal(n_ent(f), 0);
}

/* db_search_reindex writes the 1-2 character search index's text in one
 * pass per column (kc_grams): exactly the text of the view the triggers
 * use, for ASCII, CJK, one-character and over-long names and former
 * names (SQLite: the FTS tables; PostgreSQL keeps its index itself). */
static void test_search_reindex_grams(void **state)
{
    Fixture *f = *state;
    char path[160], sql[1200];
    char longname[1000];
    size_t o = 0;

    if (!db_search_fts(f->db)) {
        return;
    }
    write_file(f, "grams.csv",
               "统一社会信用代码,企业名称,所属单位\n"
               "91120102MA0000001T,天津ABC-科技 有限公司,大王庄街道\n"
               "91120102MA0000002X,甲,大王庄街道\n"
               "91120102MA00000031,天津丙科技有限公司,大王庄街道\n",
               path, sizeof path);
    assert_int_equal(run(f, "enterprises", path, 1, IMPORT_MODE_ALL), 0);
    assert_int_equal(n_ent(f), 3);
    /* 300 characters: the view stops at search_seq's 256 */
    for (int i = 0; i < 300; i++) {
        const char *ch = i % 3 == 0 ? "企" : i % 3 == 1 ? "a" : "業";
        memcpy(longname + o, ch, strlen(ch));
        o += strlen(ch);
    }
    longname[o] = '\0';
    snprintf(sql, sizeof sql,
             "UPDATE enterprises SET name = '%s' WHERE uscc = "
             "'91120102MA00000031'",
             longname);
    assert_int_equal(db_exec(f->db, sql, &f->e), 0);
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO enterprise_names (enterprise_id, "
                             "name, created_at) SELECT id, '天津旧名X公司', "
                             "'2025-01-01T00:00:00Z' FROM enterprises WHERE "
                             "uscc = '91120102MA0000002X'",
                             &f->e),
                     0);
    assert_int_equal(db_exec(f->db, "DELETE FROM enterprise_grams", &f->e), 0);
    assert_int_equal(db_exec(f->db, "DELETE FROM enterprise_fts", &f->e), 0);
    assert_int_equal(db_search_reindex(f->db, 0, &f->e), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams g JOIN "
                              "enterprise_gram_text t ON t.id = g.rowid AND "
                              "t.g = g.g"),
                     3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams WHERE "
                              "enterprise_grams MATCH '\"旧名\"'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM enterprise_grams WHERE "
                              "enterprise_grams MATCH '\"c-\"'"),
                     1);
}

/* A reader of its own layout finds its header by titles (spaces and the
 * required-column '*' ignored) among the first 20 rows, needs every
 * column it asks for, and takes the first non-blank cell of a column. */
static void test_header_find(void **state)
{
    static const char *const titles[] = {"名称", "日期", NULL, "金额"};
    static const int need[] = {0, 1};
    const char *intro[] = {"说明：本表由系统导出", "名称"};
    const char *head[] = {" 名称*", "备注", "日 期", "金额", "名称"};
    const char *row[] = {"", "x", "2024-01-02", "", "第二个名称"};
    const char *blank[] = {"", NULL, ""};
    const char *v[4] = {NULL};
    int map[IMPORT_FILE_ROW_CELLS], found = -1;
    Err e;

    (void)state;
    err_clear(&e);
    assert_int_equal(import_title_col(titles, 4, "\t金 额 *"), 3);
    assert_int_equal(import_title_col(titles, 4, "备注"), -1);
    /* a row with only some of the needed columns is not the header */
    assert_int_equal(import_header_find(1, intro, 2, titles, 4, need, 2, "测试",
                                        map, &found, &e),
                     0);
    assert_int_equal(found, 0);
    assert_int_equal(import_header_find(2, head, 5, titles, 4, need, 2, "测试",
                                        map, &found, &e),
                     0);
    assert_int_equal(found, 1);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], -1);
    assert_int_equal(map[2], 1);
    assert_int_equal(map[3], 3);
    assert_int_equal(map[4], 0);
    assert_int_equal(map[5], -1);
    assert_int_equal(import_row_cells(row, 5, map, v), 0);
    assert_string_equal(v[0], "第二个名称");
    assert_string_equal(v[1], "2024-01-02");
    assert_null(v[3]);
    assert_int_equal(import_row_cells(blank, 3, map, v), 1);
    assert_int_equal(import_header_find(21, head, 5, titles, 4, need, 2, "测试",
                                        map, &found, &e),
                     ERR_INVALID);
    assert_int_equal(found, 0);
    assert_string_equal(e.msg, "前 20 行中没有找到测试的表头");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enterprises_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_check_char, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_in_file_and_across,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gbk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_date_and_required, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_quote, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_formula_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_merged_title, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncated_xlsx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_owner_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declarations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_former_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_100k, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_without_write_lock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recheck_after_validation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_spool_disk_reserve, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_takeover_reruns_apply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recover_upload_gone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_apply_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recover_from_audit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bulk_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blank_unit_warning, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_recheck_after_validation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_reindex_grams, setup,
                                        teardown),
        cmocka_unit_test(test_header_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
