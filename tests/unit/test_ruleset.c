/* test_ruleset.c - the table of rule sets in force: built-ins alone, a
 * directory overriding one built-in and adding a rule set, a directory
 * with bad files refused with every file:line:col while the previous table
 * stays, duplicate ids, reloads sharing unchanged files, pointers of
 * replaced tables staying valid, readers during reloads, and the reload
 * cap (last: it exhausts this process's loads). Run from the source root
 * (tests/data/rules/...). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "domain/eligibility/ruleset.h"
#include "rules/embedded.h"

#define DIR_OK "tests/data/rules/dir-ok"
#define DIR_BAD "tests/data/rules/dir-bad"

static const char staff_100[] = "ruleset staff-test \"职工人数测试\"\n"
                                "status unverified\n"
                                "let y = year - 1\n"
                                "check big \"职工\" = employees[y] >= 100\n"
                                "pass = big\n";
static const char staff_200[] = "ruleset staff-test \"职工人数测试（改）\"\n"
                                "status unverified\n"
                                "let y = year - 1\n"
                                "check big \"职工\" = employees[y] >= 200\n"
                                "pass = big\n";

/* Write text to dir/name. */
static void put_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_file(const char *dir, const char *name)
{
    char path[256];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static int setup(void **state)
{
    log_set_level(LOG_ERROR);
    (void)state;
    return 0;
}

static void test_builtins_first(void **state)
{
    const RuleSetTable *t = ruleset_current();
    const RuleSet *const *sets;
    int n;
    int i;

    (void)state;
    assert_int_equal(t->generation, 0);
    assert_int_equal(t->n, kc_n_rule_files);
    assert_string_equal(t->dir, "");
    ruleset_builtin(&sets, &n);
    assert_int_equal(n, t->n);
    assert_ptr_equal(sets, t->sets);
    assert_null(sets[n]);
    for (i = 0; i < n; i++) {
        assert_int_equal(t->entries[i].source, RULESET_SRC_BUILTIN);
        assert_string_equal(ruleset_source_name(t->entries[i].source), "内置");
        assert_true(t->entries[i].len > 0);
        assert_int_equal(strlen(t->entries[i].text), t->entries[i].len);
    }
    assert_ptr_equal(ruleset_builtins(), t);
    assert_non_null(ruleset_find(t, "unicorn-2017"));
    assert_null(ruleset_find(t, "staff-test"));
}

static void test_no_dir_reload_refused(void **state)
{
    const RuleSetTable *before = ruleset_current();
    Err e;

    (void)state;
    err_clear(&e);
    assert_int_equal(ruleset_reload(NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "未配置规则目录"));
    assert_ptr_equal(ruleset_current(), before);
}

static void test_dir_overrides_one(void **state)
{
    const RuleSetTable *old = ruleset_current();
    const RuleSetEntry *old_uni = ruleset_find(old, "unicorn-2017");
    const RuleSet *const *old_sets;
    const RuleSetTable *t;
    const RuleSetEntry *uni;
    const RuleSetEntry *st;
    int old_n;
    Buf errors;
    Err e;

    (void)state;
    ruleset_builtin(&old_sets, &old_n);
    buf_init(&errors, 0);
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(DIR_OK, &errors, &e), 0);
    assert_string_equal(errors.data ? errors.data : "", "");
    t = ruleset_current();
    assert_ptr_not_equal(t, old);
    assert_int_equal(t->generation, old->generation + 1);
    assert_string_equal(t->dir, DIR_OK);
    assert_int_equal(t->n, kc_n_rule_files + 1);

    uni = ruleset_find(t, "unicorn-2017");
    assert_non_null(uni);
    assert_int_equal(uni->source, RULESET_SRC_DIR);
    assert_string_equal(ruleset_source_name(uni->source), "目录");
    assert_string_equal(rule_set_name(uni->rs), "独角兽企业（目录版）");
    assert_string_equal(uni->file, DIR_OK "/unicorn-2017.kcr");
    /* the override keeps the built-in's place */
    assert_int_equal(uni - t->entries, old_uni - old->entries);

    st = ruleset_find(t, "staff-test");
    assert_non_null(st);
    assert_ptr_equal(st, &t->entries[t->n - 1]);
    assert_string_equal(rule_set_issuer(st->rs), "测试单位");
    assert_string_equal(rule_set_region(st->rs), "测试区");
    assert_int_equal(rule_set_n_sources(st->rs), 2);
    assert_string_equal(rule_set_source(st->rs, 1), "测试来源二");
    assert_string_equal(rule_set_source(st->rs, 2), "");

    /* the other built-ins are the same objects */
    assert_ptr_equal(ruleset_find(t, "sme-2017")->rs,
                     ruleset_find(old, "sme-2017")->rs);
    /* what was handed out before still reads the previous version */
    assert_int_equal(old_n, kc_n_rule_files);
    assert_string_equal(rule_set_name(old_sets[uni - t->entries]),
                        "独角兽企业");
    assert_ptr_equal(ruleset_find(ruleset_builtins(), "unicorn-2017"), old_uni);
    buf_release(&errors);
}

static void test_bad_dir_keeps_previous(void **state)
{
    const RuleSetTable *before = ruleset_current();
    Buf errors;
    Err e;

    (void)state;
    buf_init(&errors, 0);
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(DIR_BAD, &errors, &e), ERR_INVALID);
    assert_ptr_equal(ruleset_current(), before);
    assert_non_null(ruleset_find(ruleset_current(), "staff-test"));
    /* every bad file, with its position */
    assert_non_null(strstr(errors.data, DIR_BAD "/a-syntax.kcr:4:36: "));
    assert_non_null(
        strstr(errors.data, DIR_BAD "/b-overlap.kcr:6:3: 区间与第 5 行"));
    assert_non_null(
        strstr(errors.data, DIR_BAD "/c-unknown-field.kcr:4:16: 未知字段"));
    assert_non_null(
        strstr(errors.data, DIR_BAD "/d-type-error.kcr:4:35: 类型不匹配"));
    assert_null(strstr(errors.data, "staff-test.kcr"));
    assert_non_null(strstr(e.msg, "4 处错误"));
    assert_string_equal(e.field, "rules_dir");
    buf_release(&errors);

    /* a missing directory is refused the same way */
    buf_init(&errors, 0);
    assert_int_equal(
        ruleset_load_dir("tests/data/rules/no-such-dir", &errors, &e),
        ERR_INVALID);
    assert_non_null(strstr(errors.data, "no-such-dir:1:1: 无法打开规则目录"));
    assert_ptr_equal(ruleset_current(), before);
    buf_release(&errors);
}

static void test_reload_dup_and_sharing(void **state)
{
    char dir[64];
    const RuleSetTable *t1;
    const RuleSetTable *t2;
    const RuleSet *rs1;
    Buf errors;
    Err e;

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kc_test_ruleset_XXXXXX");
    assert_non_null(mkdtemp(dir));
    put_file(dir, "staff.kcr", staff_100);
    put_file(dir, "notes.txt", "不是规则文件");
    buf_init(&errors, 0);
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(dir, &errors, &e), 0);
    t1 = ruleset_current();
    rs1 = ruleset_find(t1, "staff-test")->rs;
    assert_int_equal(t1->n, kc_n_rule_files + 1);

    /* reload without changes: the parsed rule set is shared */
    assert_int_equal(ruleset_reload(&errors, &e), 0);
    t2 = ruleset_current();
    assert_ptr_not_equal(t2, t1);
    assert_ptr_equal(ruleset_find(t2, "staff-test")->rs, rs1);

    /* an edited file is parsed again; the old one stays readable */
    put_file(dir, "staff.kcr", staff_200);
    assert_int_equal(ruleset_reload(&errors, &e), 0);
    assert_ptr_not_equal(ruleset_find(ruleset_current(), "staff-test")->rs,
                         rs1);
    assert_string_equal(
        rule_set_name(ruleset_find(ruleset_current(), "staff-test")->rs),
        "职工人数测试（改）");
    assert_string_equal(rule_set_name(rs1), "职工人数测试");
    assert_string_equal(ruleset_find(t1, "staff-test")->text, staff_100);

    /* back to the first version: its parsed rule set is used again */
    put_file(dir, "staff.kcr", staff_100);
    assert_int_equal(ruleset_reload(&errors, &e), 0);
    assert_ptr_equal(ruleset_find(ruleset_current(), "staff-test")->rs, rs1);
    assert_ptr_equal(ruleset_current()->older->older, t2);

    /* two files with one id: refused, nothing changes */
    t2 = ruleset_current();
    put_file(dir, "staff-copy.kcr", staff_100);
    buf_reset(&errors);
    assert_int_equal(ruleset_reload(&errors, &e), ERR_INVALID);
    assert_non_null(
        strstr(errors.data, "staff.kcr:1:1: 规则集编号 staff-test"));
    assert_non_null(strstr(errors.data, "重复"));
    assert_ptr_equal(ruleset_current(), t2);

    /* removing the file brings the table back to the built-ins */
    rm_file(dir, "staff-copy.kcr");
    rm_file(dir, "staff.kcr");
    assert_int_equal(ruleset_reload(&errors, &e), 0);
    assert_int_equal(ruleset_current()->n, kc_n_rule_files);
    assert_null(ruleset_find(ruleset_current(), "staff-test"));
    rm_file(dir, "notes.txt");
    rmdir(dir);
    buf_release(&errors);
}

typedef struct Reader {
    int rounds;
    int bad;
} Reader;

/* Walk the current table again and again, reading every rule set. */
static void *reader_main(void *p)
{
    Reader *r = p;
    int i;

    for (i = 0; i < r->rounds; i++) {
        const RuleSet *const *sets;
        int n;
        int k;
        ruleset_builtin(&sets, &n);
        for (k = 0; k < n; k++) {
            if (!sets[k] || strlen(rule_set_hash(sets[k])) != 64) {
                r->bad++;
            }
        }
        if (sets[n] != NULL) {
            r->bad++;
        }
    }
    return NULL;
}

static void test_readers_during_reloads(void **state)
{
    pthread_t th[2];
    Reader rd[2];
    Err e;
    int i;

    (void)state;
    for (i = 0; i < 2; i++) {
        rd[i].rounds = 2000;
        rd[i].bad = 0;
        assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
    }
    for (i = 0; i < 20; i++) {
        err_clear(&e);
        assert_int_equal(ruleset_load_dir(i % 2 ? DIR_OK : "", NULL, &e), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(rd[i].bad, 0);
    }
}

/* Last: uses up the loads of this process. */
static void test_reload_cap(void **state)
{
    const RuleSetTable *last;
    Err e;
    int n = 0;

    (void)state;
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(DIR_OK, NULL, &e), 0);
    while (ruleset_reload(NULL, &e) == 0) {
        n++;
        assert_true(n <= RULESET_RELOAD_MAX);
    }
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "达到上限"));
    last = ruleset_current();
    assert_int_equal(last->generation, RULESET_RELOAD_MAX);
    /* the last table still serves */
    assert_int_equal(ruleset_find(last, "unicorn-2017")->source,
                     RULESET_SRC_DIR);
    assert_int_equal(ruleset_load_dir("", NULL, &e), ERR_CONFLICT);
    assert_ptr_equal(ruleset_current(), last);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_first),
        cmocka_unit_test(test_no_dir_reload_refused),
        cmocka_unit_test(test_dir_overrides_one),
        cmocka_unit_test(test_bad_dir_keeps_previous),
        cmocka_unit_test(test_reload_dup_and_sharing),
        cmocka_unit_test(test_readers_during_reloads),
        cmocka_unit_test(test_reload_cap),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
