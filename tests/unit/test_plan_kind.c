/* test_plan_kind.c - indicator kinds, units and exact values: a stock is
 * never summed over years, a ratio never summed at all, % over 100 and
 * years outside the plan are refused, values round-trip exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/plan/plan_kind.h"

static int64_t parse_ok(const char *s, const char *unit)
{
    int64_t v = -1;
    Err e;

    err_clear(&e);
    if (plan_value_parse(s, unit, &v, "value", "", &e) != 0) {
        fail_msg("\"%s\" (%s) refused: %s", s, unit, e.msg);
    }
    return v;
}

static void test_parse_exact(void **state)
{
    char out[PLAN_VALUE_TEXT];

    (void)state;
    assert_int_equal(parse_ok("2.57", "%"), 25700);
    assert_int_equal(parse_ok("1140", "件"), 11400000);
    assert_int_equal(parse_ok("40", "亿元"), 400000);
    assert_int_equal(parse_ok("0.64%", "%"), 6400);
    assert_int_equal(parse_ok("１１７０", "件"), 11700000); /* full width */
    assert_int_equal(parse_ok("1,170", "件"), 11700000);
    assert_int_equal(parse_ok("12.3456", "亿元"), 123456);
    assert_int_equal(parse_ok("100", "%"), 1000000);
    assert_int_equal(parse_ok("128家", "家"), 1280000);
    plan_value_format(25700, out);
    assert_string_equal(out, "2.57");
    plan_value_format(11400000, out);
    assert_string_equal(out, "1140");
    plan_value_format(123456, out);
    assert_string_equal(out, "12.3456");
    plan_value_format(-5000, out);
    assert_string_equal(out, "-0.5");
}

static void test_parse_refused(void **state)
{
    int64_t v;
    Err e;

    (void)state;
    assert_int_equal(plan_value_parse("100.01", "%", &v, "v", "第5行D列：", &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "第5行D列"));
    assert_non_null(strstr(e.msg, "不能超过 100"));
    assert_int_equal(plan_value_parse("尚未开展", "家", &v, "v", "", &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "不是数值"));
    assert_int_equal(plan_value_parse("1.5", "家", &v, "v", "", &e),
                     ERR_INVALID);
    assert_int_equal(plan_value_parse("-3", "件", &v, "v", "", &e),
                     ERR_INVALID);
    assert_int_equal(plan_value_parse("1.23456", "亿元", &v, "v", "", &e),
                     ERR_INVALID);
    assert_int_equal(plan_value_parse("", "亿元", &v, "v", "", &e),
                     ERR_INVALID);
    assert_int_equal(plan_value_parse("3", "吨", &v, "v", "", &e), ERR_INVALID);
    assert_int_equal(
        plan_value_parse("99999999999999999999", "件", &v, "v", "", &e),
        ERR_INVALID);
}

static void test_units_and_guess(void **state)
{
    (void)state;
    assert_true(plan_unit_valid("亿元"));
    assert_true(plan_unit_valid("％"));
    assert_string_equal(plan_unit_norm("％"), "%");
    assert_false(plan_unit_valid("吨"));
    assert_true(plan_unit_is_count("家"));
    assert_false(plan_unit_is_count("万元"));
    assert_int_equal(plan_kind_guess("研发支出与地区生产总值比值", "%"),
                     PLAN_KIND_RATIO);
    assert_int_equal(plan_kind_guess("全区技术合同成交额", "亿元"),
                     PLAN_KIND_FLOW);
    assert_int_equal(plan_kind_guess("高新技术企业数量", "家"),
                     PLAN_KIND_STOCK);
    assert_int_equal(plan_kind_from_code("ratio"), PLAN_KIND_RATIO);
    assert_int_equal(plan_kind_from_code("sum"), PLAN_KIND_NONE);
    assert_string_equal(plan_kind_name(PLAN_KIND_STOCK), "存量");
}

static void test_sums_by_kind(void **state)
{
    const int64_t years[] = {1080000, 1160000, 1280000};
    int64_t s = 0;
    Err e;

    (void)state;
    /* a stock is never summed over years */
    assert_int_equal(plan_sum_years(PLAN_KIND_STOCK, years, 3, &s, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "存量"));
    /* a ratio is never summed at all */
    assert_int_equal(plan_sum_years(PLAN_KIND_RATIO, years, 3, &s, &e),
                     ERR_INVALID);
    assert_int_equal(plan_sum_units(PLAN_KIND_RATIO, years, 3, &s, &e),
                     ERR_INVALID);
    /* flows sum over years and units; stocks over units */
    assert_int_equal(plan_sum_years(PLAN_KIND_FLOW, years, 3, &s, &e), 0);
    assert_int_equal(s, 3520000);
    assert_int_equal(plan_sum_units(PLAN_KIND_STOCK, years, 3, &s, &e), 0);
    assert_int_equal(s, 3520000);
    /* year to date: stock = latest, flow = sum, ratio = latest */
    assert_int_equal(plan_value_to_date(PLAN_KIND_STOCK, years, 3, &s, &e), 0);
    assert_int_equal(s, 1280000);
    assert_int_equal(plan_value_to_date(PLAN_KIND_FLOW, years, 3, &s, &e), 0);
    assert_int_equal(s, 3520000);
    assert_int_equal(plan_value_to_date(PLAN_KIND_RATIO, years, 2, &s, &e), 0);
    assert_int_equal(s, 1160000);
    assert_int_equal(plan_value_to_date(PLAN_KIND_FLOW, years, 0, &s, &e),
                     ERR_NOTFOUND);
}

static void test_year_and_completion(void **state)
{
    int64_t bp = 0;
    Err e;

    (void)state;
    assert_int_equal(plan_year_check(2021, 2020, 2022, 2019, "year", NULL, &e),
                     0);
    assert_int_equal(plan_year_check(2019, 2020, 2022, 2019, "year", NULL, &e),
                     0);
    assert_int_equal(plan_year_check(2023, 2020, 2022, 2019, "year", NULL, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "2023"));
    assert_int_equal(plan_completion_bp(1, 1200000, 1280000, &bp, &e), 0);
    assert_int_equal(bp, 9375); /* 120 / 128 = 93.75 % */
    assert_int_equal(plan_completion_bp(-1, 50000, 40000, &bp, &e), 0);
    assert_int_equal(bp, 8000);
    assert_int_equal(plan_completion_bp(1, 5, 0, &bp, &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_exact),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_units_and_guess),
        cmocka_unit_test(test_sums_by_kind),
        cmocka_unit_test(test_year_and_completion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
