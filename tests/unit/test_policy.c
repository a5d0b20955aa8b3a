/* test_policy.c - the policy pool's amounts and item validation: the
 * rounding rule (percentages floor to whole 元), caps, tiers (inclusive
 * lower bounds), per-event amounts, missing figures; every seeded item's
 * rule text parses and its differential cases (written from the item's
 * text) pass; saving refuses formulas that can give negative or fractional
 * amounts, bad tiers, unknown figures and failing cases, and writes
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "common/apitest.h"
#include "domain/accounts/actor.h"
#include "domain/policy/policy.h"
#include "rules/batch.h"
#include "rules/field.h"

static void test_percent_floor_and_cap(void **state)
{
    PolicyItem it;
    int64_t amt;
    char basis[384];

    (void)state;
    memset(&it, 0, sizeof it);
    it.amount_kind = POLICY_AMT_PERCENT;
    it.figure = rule_field_find("rd_expense");
    it.figure_year = -1;
    it.rate_bp = 1000; /* 10% */
    it.cap = 1000000;  /* 100 万 */
    /* 10% of 1234567 元 = 123456.7 -> 123456 (rounded down) */
    assert_int_equal(
        policy_amount(&it, 1, 1234567, 1, &amt, basis, sizeof basis), 0);
    assert_int_equal(amt, 123456);
    assert_non_null(strstr(basis, "向下取整到元"));
    /* 9.9999 元 x 10% = 0.99999 -> 0 */
    assert_int_equal(policy_amount(&it, 1, 9, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 0);
    /* exactly at the cap: 1000 万 x 10% = 100 万 */
    assert_int_equal(policy_amount(&it, 1, 10000000, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 1000000);
    /* above: capped */
    assert_int_equal(
        policy_amount(&it, 1, 10000011, 1, &amt, basis, sizeof basis), 0);
    assert_int_equal(amt, 1000000);
    assert_non_null(strstr(basis, "上限"));
    /* 12.34% of 100 元 = 12.34 -> 12 */
    it.rate_bp = 1234;
    it.cap = 0;
    assert_int_equal(policy_amount(&it, 1, 100, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 12);
    /* a negative figure never gives a negative amount */
    assert_int_equal(policy_amount(&it, 1, -500, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 0);
    /* missing figure: unknown, never zero */
    assert_int_equal(policy_amount(&it, 0, 0, 1, &amt, basis, sizeof basis), 1);
    assert_non_null(strstr(basis, "缺少"));
}

static void test_tiers_fixed_per_event(void **state)
{
    PolicyItem it;
    int64_t amt;

    (void)state;
    memset(&it, 0, sizeof it);
    it.amount_kind = POLICY_AMT_TIERED;
    it.figure = rule_field_find("rd_expense");
    it.tiers[0] = (PolicyTier){5000000, 100000};
    it.tiers[1] = (PolicyTier){10000000, 200000};
    it.tiers[2] = (PolicyTier){50000000, 500000};
    it.n_tiers = 3;
    assert_int_equal(policy_amount(&it, 1, 4999999, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 0);
    assert_int_equal(policy_amount(&it, 1, 5000000, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 100000); /* lower bound inclusive */
    assert_int_equal(policy_amount(&it, 1, 9999999, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 100000);
    assert_int_equal(policy_amount(&it, 1, 10000000, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 200000);
    assert_int_equal(policy_amount(&it, 1, 60000000, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 500000);
    it.amount_kind = POLICY_AMT_FIXED;
    it.amount = 200000;
    assert_int_equal(policy_amount(&it, 0, 0, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 200000);
    it.amount_kind = POLICY_AMT_PER_EVENT;
    it.amount = 20000;
    assert_int_equal(policy_amount(&it, 0, 0, 3, &amt, NULL, 0), 0);
    assert_int_equal(amt, 60000);
    it.amount_kind = POLICY_AMT_NONE;
    assert_int_equal(policy_amount(&it, 0, 0, 1, &amt, NULL, 0), 0);
    assert_int_equal(amt, 0);
}

/* Every seeded item: its rule text parses and each case passes. */
static void test_seeded_items_cases(void **state)
{
    ApiTest *t;
    PolicyItem *items = NULL;
    int n = 0, n_cases = 0, n_info = 0, n_unverified = 0;
    Err e;

    (void)state;
    log_set_level(LOG_ERROR);
    t = apitest_new();
    err_clear(&e);
    assert_int_equal(policy_items_load_all(t->db, &items, &n, &e), 0);
    assert_true(n >= 12);
    for (int i = 0; i < n; i++) {
        assert_non_null(items[i].rs);
        assert_true(rule_set_n_cases(items[i].rs) >= 2);
        for (int k = 0; k < rule_set_n_cases(items[i].rs); k++) {
            Buf why;

            buf_init(&why, 4096);
            if (!rule_set_run_case(items[i].rs, k, &why)) {
                fail_msg("%s: case %s: %s", items[i].code,
                         rule_set_case_name(items[i].rs, k), why.data);
            }
            buf_release(&why);
            n_cases++;
        }
        n_info += items[i].amount_kind == POLICY_AMT_NONE;
        n_unverified += strcmp(items[i].status, "unverified") == 0;
    }
    assert_true(n_cases >= 36);
    assert_int_equal(n_info, 3); /* 高企 15%, 加计扣除, 技术转让 */
    assert_true(n_unverified >= 10);
    policy_items_free(items, n);
    apitest_free(t);
}

static int save(ApiTest *t, const char *json, int64_t *id, Err *e)
{
    json_t *body = json_loads(json, 0, NULL);
    Actor a;
    int rc;

    assert_non_null(body);
    actor_init_system(&a);
    err_clear(e);
    rc = policy_item_save(t->db, &a, 1, 0, body, id, e);
    json_decref(body);
    return rc;
}

static int64_t n_items(ApiTest *t)
{
    int64_t n = 0;
    Err e;

    assert_int_equal(
        db_query_int64(t->db, &n, &e, "SELECT count(*) FROM policy_items", ""),
        0);
    return n;
}

static void test_save_refuses(void **state)
{
    ApiTest *t;
    int64_t id = 0, before;
    Err e;

    (void)state;
    log_set_level(LOG_ERROR);
    t = apitest_new();
    before = n_items(t);
    /* negative fixed amount */
    assert_int_equal(save(t,
                          "{\"code\":\"x1\",\"title\":\"负数\",\"amount_kind\":"
                          "\"fixed\",\"amount_wan\":\"-1\",\"budget_line\":"
                          "\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "amount_wan");
    /* a fraction of a 元 */
    assert_int_equal(save(t,
                          "{\"code\":\"x2\",\"title\":\"小数\",\"amount_kind\":"
                          "\"fixed\",\"amount_wan\":\"1.00001\","
                          "\"budget_line\":\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "amount_wan");
    /* negative rate */
    assert_int_equal(save(t,
                          "{\"code\":\"x3\",\"title\":\"负比例\","
                          "\"amount_kind\":\"percent\",\"figure\":"
                          "\"rd_expense\",\"rate\":\"-10%\",\"budget_line\":"
                          "\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "rate");
    /* a rate that is no whole number of basis points */
    assert_int_equal(save(t,
                          "{\"code\":\"x4\",\"title\":\"比例\",\"amount_kind\":"
                          "\"percent\",\"figure\":\"rd_expense\",\"rate\":"
                          "\"10.125%\",\"budget_line\":\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "rate");
    /* a figure that can be negative */
    assert_int_equal(save(t,
                          "{\"code\":\"x5\",\"title\":\"利润\",\"amount_kind\":"
                          "\"percent\",\"figure\":\"net_profit\",\"rate\":"
                          "\"10%\",\"budget_line\":\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "figure");
    /* unknown figure */
    assert_int_equal(save(t,
                          "{\"code\":\"x6\",\"title\":\"未知\",\"amount_kind\":"
                          "\"percent\",\"figure\":\"nope\",\"rate\":\"10%\","
                          "\"budget_line\":\"b\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "figure");
    /* tiers out of order */
    assert_int_equal(
        save(t,
             "{\"code\":\"x7\",\"title\":\"分档\",\"amount_kind\":\"tiered\","
             "\"figure\":\"rd_expense\",\"budget_line\":\"b\",\"tiers\":[{"
             "\"from_wan\":\"500\",\"amount_wan\":\"10\"},{\"from_wan\":"
             "\"100\",\"amount_wan\":\"5\"}]}",
             &id, &e),
        ERR_INVALID);
    assert_string_equal(e.field, "tiers[1]");
    /* a rule text whose case fails */
    assert_int_equal(
        save(t,
             "{\"code\":\"x8\",\"title\":\"用例\",\"amount_kind\":\"none\","
             "\"rule_text\":\"ruleset x8 \\\"x\\\"\\ntier policy\\nstatus "
             "unverified\\npass = hnte_cert\\ncase \\\"c\\\" { year = 2024 "
             "hnte_cert = 否 } expect 达标\\n\"}",
             &id, &e),
        ERR_INVALID);
    assert_string_equal(e.field, "rule_text");
    assert_non_null(strstr(e.msg, "用例"));
    /* a rule text that does not parse */
    assert_int_equal(save(t,
                          "{\"code\":\"x9\",\"title\":\"语法\","
                          "\"amount_kind\":\"none\",\"rule_text\":\"ruleset "
                          "x9\\npass = = 1\\n\"}",
                          &id, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "rule_text");
    assert_int_equal(n_items(t), before);
    /* and a good one is written */
    assert_int_equal(
        save(t,
             "{\"code\":\"ok1\",\"title\":\"好\",\"amount_kind\":\"percent\","
             "\"figure\":\"rd_expense\",\"figure_year\":-1,\"rate\":\"12.5%\","
             "\"cap_wan\":\"50\",\"budget_line\":\"b\"}",
             &id, &e),
        0);
    assert_int_equal(n_items(t), before + 1);
    {
        PolicyItem it;

        assert_int_equal(policy_item_load(t->db, id, &it, &e), 0);
        assert_int_equal(it.rate_bp, 1250);
        assert_int_equal(it.cap, 500000);
        policy_item_release(&it);
    }
    apitest_free(t);
}

/* Parsed conditions are kept in the process by code and rule text: a
 * second load parses nothing and shares the parse and its compiled
 * program; a changed text (here by plain SQL, with no audit entry) is
 * parsed again and the new conditions are the ones used; an item that
 * let go of a shared parse leaves it intact for the others. */
static void test_rules_kept(void **state)
{
    ApiTest *t;
    PolicyItem *a = NULL, *b = NULL, *c = NULL;
    const BatchProg *p1 = NULL, *p2 = NULL;
    BatchProg *own1 = NULL, *own2 = NULL;
    int na = 0, nb = 0, nc = 0, k = -1;
    uint64_t parsed;
    Err e;

    (void)state;
    log_set_level(LOG_ERROR);
    t = apitest_new();
    err_clear(&e);
    assert_int_equal(policy_items_load_all(t->db, &a, &na, &e), 0);
    parsed = policy_rules_parsed();
    assert_int_equal(policy_items_load_all(t->db, &b, &nb, &e), 0);
    assert_int_equal(policy_rules_parsed(), parsed);
    assert_int_equal(na, nb);
    for (int i = 0; i < na; i++) {
        assert_ptr_equal(a[i].rs, b[i].rs);
        if (k < 0 && strcmp(a[i].code, "rd-subsidy") == 0) {
            k = i;
        }
    }
    assert_true(k >= 0);
    assert_int_equal(policy_item_prog(&a[k], &p1, &own1, &e), 0);
    assert_int_equal(policy_item_prog(&b[k], &p2, &own2, &e), 0);
    assert_non_null(p1);
    assert_ptr_equal(p1, p2);
    assert_null(own1);
    assert_null(own2);
    /* b lets go: a's parse is still whole */
    policy_items_free(b, nb);
    assert_true(rule_set_n_cases(a[k].rs) >= 2);

    /* a new text: parsed once, its conditions used (one criterion, no
     * cases) */
    assert_int_equal(
        db_exec_v(t->db, &e,
                  "UPDATE policy_items SET rule_text = $1 WHERE code = $2",
                  "tt",
                  "ruleset policy-rd-subsidy \"研发费用后补助\"\n"
                  "tier policy\nstatus unverified\nall cond \"申请条件\" {\n"
                  "  not serious_illegal \"未列入严重违法失信企业名单\"\n}\n"
                  "pass = cond\n",
                  "rd-subsidy"),
        0);
    assert_int_equal(policy_items_load_all(t->db, &c, &nc, &e), 0);
    assert_int_equal(policy_rules_parsed(), parsed + 1);
    assert_ptr_not_equal(c[k].rs, a[k].rs);
    assert_int_equal(rule_set_n_cases(c[k].rs), 0);
    assert_int_equal(policy_item_prog(&c[k], &p2, &own2, &e), 0);
    assert_ptr_not_equal(p1, p2);
    for (int i = 0; i < nc; i++) {
        if (i != k) {
            assert_ptr_equal(a[i].rs, c[i].rs);
        }
    }
    /* draft conditions (the sandbox's) are the item's own */
    {
        json_t *ch = json_pack(
            "{s:s}", "rule_text",
            "ruleset x\ntier policy\nstatus unverified\nall c \"条件\" {\n"
            "  hnte_cert \"高企证书\"\n}\npass = c\n");

        assert_int_equal(policy_item_apply(&c[k], ch, &e), 0);
        json_decref(ch);
        assert_null(c[k].rules);
        assert_int_equal(policy_item_prog(&c[k], &p2, &own2, &e), 0);
        assert_non_null(own2);
        assert_ptr_equal(p2, own2);
        batch_free(own2);
    }
    policy_items_free(c, nc);
    policy_items_free(a, na);
    apitest_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_floor_and_cap),
        cmocka_unit_test(test_tiers_fixed_per_event),
        cmocka_unit_test(test_seeded_items_cases),
        cmocka_unit_test(test_save_refuses),
        cmocka_unit_test(test_rules_kept),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
