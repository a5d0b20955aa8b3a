/* test_date.c - civil dates, parsing, arithmetic, Excel serials, stamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/date.h"

static Date ymd(int y, int m, int d)
{
    Date v = 0;
    Err e;

    if (date_from_ymd(y, m, d, &v, "d", &e) != 0) {
        fail_msg("%d-%d-%d rejected: %s", y, m, d, e.msg);
    }
    return v;
}

static void expect_iso(Date d, const char *want)
{
    char buf[DATE_ISO_SIZE];

    date_format_iso(d, buf);
    assert_string_equal(buf, want);
}

static void parse_ok(const char *s, const char *want)
{
    Date d = 0;
    Err e;

    err_clear(&e);
    if (date_parse(s, &d, "founded", &e) != 0) {
        fail_msg("\"%s\" rejected: %s", s, e.msg);
    }
    expect_iso(d, want);
}

static const char *parse_bad(const char *s, Err *e)
{
    Date d = 4242;

    err_clear(e);
    assert_int_equal(date_parse(s, &d, "founded", e), ERR_INVALID);
    assert_string_equal(e->field, "founded");
    assert_int_equal(d, 4242);
    return e->msg;
}

static void test_epoch_and_known(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2021, 2, 28), 18686);
    assert_int_equal(ymd(1, 1, 1), DATE_MIN);
    assert_int_equal(ymd(9999, 12, 31), DATE_MAX);
    expect_iso(0, "1970-01-01");
    expect_iso(18686, "2021-02-28");
    expect_iso(DATE_MIN, "0001-01-01");
    expect_iso(DATE_MAX, "9999-12-31");
    expect_iso(DATE_MAX + 1, "0000-00-00");
}

static void test_roundtrip_all_days(void **state)
{
    Date d;
    int y;
    int m;
    int dd;

    (void)state;
    /* every day in the supported range converts back to itself */
    for (d = DATE_MIN; d <= DATE_MAX; d++) {
        date_to_ymd(d, &y, &m, &dd);
        assert_int_equal(ymd(y, m, dd), d);
    }
    date_to_ymd(ymd(2000, 2, 29), &y, &m, &dd);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(dd, 29);
}

static void test_leap(void **state)
{
    Date d;
    Err e;

    (void)state;
    assert_true(date_is_leap(2000));
    assert_true(date_is_leap(2024));
    assert_false(date_is_leap(1900));
    assert_false(date_is_leap(2100));
    assert_false(date_is_leap(2021));
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2023, 2), 28);
    assert_int_equal(date_days_in_month(2023, 4), 30);
    assert_int_equal(date_days_in_month(2023, 13), 0);
    assert_int_equal(date_from_ymd(2024, 2, 29, &d, "d", &e), 0);
    assert_int_equal(date_from_ymd(1900, 2, 29, &d, "d", &e), ERR_INVALID);
    assert_string_equal(e.msg, "1900年2月没有29日");
}

static void test_parse_formats(void **state)
{
    (void)state;
    parse_ok("2021-02-28", "2021-02-28");
    parse_ok("2021-2-8", "2021-02-08");
    parse_ok("2021/2/28", "2021-02-28");
    parse_ok("2021.2.28", "2021-02-28");
    parse_ok("20210228", "2021-02-28");
    parse_ok("2021\xE5\xB9\xB4"
             "2\xE6\x9C\x88"
             "28\xE6\x97\xA5",
             "2021-02-28");
    parse_ok("2021\xE5\xB9\xB4"
             "12\xE6\x9C\x88"
             "1",
             "2021-12-01");
    parse_ok("  2024-02-29 \r\n", "2024-02-29");
    /* full-width digits and separator: ２０２１－０２－２８ */
    parse_ok("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x91\xEF\xBC\x8D"
             "\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x8D\xEF\xBC\x92\xEF\xBC\x98",
             "2021-02-28");
}

static void test_parse_rejects(void **state)
{
    Err e;

    (void)state;
    assert_string_equal(parse_bad("2021/2/30", &e), "2021年2月没有30日");
    assert_string_equal(parse_bad("20210230", &e), "2021年2月没有30日");
    assert_string_equal(parse_bad("2023-02-29", &e), "2023年2月没有29日");
    assert_string_equal(parse_bad("2021-04-31", &e), "2021年4月没有31日");
    assert_string_equal(parse_bad("2021-13-01", &e), "2021年没有13月");
    assert_string_equal(parse_bad("2021-00-10", &e), "2021年没有0月");
    assert_string_equal(parse_bad("2021-01-00", &e), "2021年1月没有0日");
    assert_non_null(strstr(parse_bad("0000-01-01", &e), "年份"));
    assert_string_equal(parse_bad("", &e), "日期不能为空");
    assert_string_equal(parse_bad(NULL, &e), "日期不能为空");
    assert_non_null(strstr(parse_bad("2021-02/28", &e), "不是有效的日期"));
    parse_bad("21-02-28", &e);
    parse_bad("2021-02-28x", &e);
    parse_bad("2021-002-28", &e);
    parse_bad("2021--28", &e);
    parse_bad("2021022", &e);
    parse_bad("202102281", &e);
    parse_bad("2021\xE5\xB9\xB4"
              "2\xE6\x9C\x88",
              &e);
    parse_bad("2021\xE5\xB9\xB4"
              "2\xE6\x9C\x88"
              "28\xE6\x97\xA5\xE6\x97\xA5",
              &e);
    parse_bad("2021-02-28 10:00", &e);
    parse_bad("44255", &e);
}

static void test_arithmetic(void **state)
{
    (void)state;
    expect_iso(date_add_days(ymd(2021, 2, 28), 1), "2021-03-01");
    expect_iso(date_add_days(ymd(2024, 2, 28), 1), "2024-02-29");
    expect_iso(date_add_days(ymd(2024, 1, 1), -1), "2023-12-31");
    expect_iso(date_add_days(ymd(2024, 1, 1), 366), "2025-01-01");
    assert_int_equal(date_add_days(DATE_MAX, 10), DATE_MAX);
    assert_int_equal(date_add_days(DATE_MIN, -10), DATE_MIN);
    assert_int_equal(date_add_days(0, INT32_MAX), DATE_MAX);
    assert_int_equal(date_diff_days(ymd(2024, 1, 1), ymd(2025, 1, 1)), 366);
    assert_int_equal(date_diff_days(ymd(2025, 1, 1), ymd(2024, 1, 1)), -366);
    expect_iso(date_end_of_year(ymd(2021, 2, 28)), "2021-12-31");
    expect_iso(date_end_of_year(ymd(2021, 12, 31)), "2021-12-31");
    expect_iso(date_start_of_year(ymd(2021, 2, 28)), "2021-01-01");
}

static void test_years_between(void **state)
{
    (void)state;
    assert_int_equal(date_years_between(ymd(2020, 5, 10), ymd(2023, 5, 10)), 3);
    assert_int_equal(date_years_between(ymd(2020, 5, 10), ymd(2023, 5, 9)), 2);
    assert_int_equal(date_years_between(ymd(2000, 2, 29), ymd(2001, 2, 28)), 0);
    assert_int_equal(date_years_between(ymd(2000, 2, 29), ymd(2001, 3, 1)), 1);
    assert_int_equal(date_years_between(ymd(2000, 2, 29), ymd(2004, 2, 29)), 4);
    assert_int_equal(date_years_between(ymd(2021, 1, 1), ymd(2021, 12, 31)), 0);
    assert_int_equal(date_years_between(ymd(2023, 5, 10), ymd(2020, 5, 10)),
                     -3);
    assert_int_equal(date_years_between(ymd(2021, 6, 1), ymd(2021, 6, 1)), 0);
}

static void test_excel_serial(void **state)
{
    Date d;
    Err e;

    (void)state;
    assert_int_equal(date_from_excel_serial(1, &d, "c", &e), 0);
    expect_iso(d, "1900-01-01");
    assert_int_equal(date_from_excel_serial(59, &d, "c", &e), 0);
    expect_iso(d, "1900-02-28");
    assert_int_equal(date_from_excel_serial(60, &d, "c", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "1900年2月29日"));
    assert_int_equal(date_from_excel_serial(61, &d, "c", &e), 0);
    expect_iso(d, "1900-03-01");
    assert_int_equal(date_from_excel_serial(44197, &d, "c", &e), 0);
    expect_iso(d, "2021-01-01");
    assert_int_equal(date_from_excel_serial(45658, &d, "c", &e), 0);
    expect_iso(d, "2025-01-01");
    assert_int_equal(date_from_excel_serial(2958465, &d, "c", &e), 0);
    expect_iso(d, "9999-12-31");
    assert_int_equal(date_from_excel_serial(0, &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_from_excel_serial(-5, &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_from_excel_serial(2958466, &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_parse_excel_serial("44197", &d, "c", &e), 0);
    expect_iso(d, "2021-01-01");
    assert_int_equal(date_parse_excel_serial("44197.75", &d, "c", &e), 0);
    expect_iso(d, "2021-01-01");
    assert_int_equal(date_parse_excel_serial("", &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_parse_excel_serial("4x", &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_parse_excel_serial("-1", &d, "c", &e), ERR_INVALID);
    assert_int_equal(date_parse_excel_serial("123456789012", &d, "c", &e),
                     ERR_INVALID);
}

static void test_timestamps(void **state)
{
    char buf[DATE_TS_SIZE];
    int64_t t = -1;
    int64_t now = (int64_t)time(NULL);
    Err e;

    (void)state;
    date_format_timestamp(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    date_format_timestamp(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    date_format_timestamp(1795326360, buf);
    assert_string_equal(buf, "2026-11-22T05:46:00Z");
    assert_int_equal(date_parse_timestamp("2026-11-22T05:46:00Z", &t, "at", &e),
                     0);
    assert_int_equal(t, 1795326360);
    assert_int_equal(date_parse_timestamp("1969-12-31T23:59:59Z", &t, "at", &e),
                     0);
    assert_int_equal(t, -1);
    assert_int_equal(date_parse_timestamp("2024-02-29T23:59:59Z", &t, "at", &e),
                     0);
    date_format_timestamp(t, buf);
    assert_string_equal(buf, "2024-02-29T23:59:59Z");

    date_now_timestamp(buf);
    assert_int_equal(strlen(buf), 20);
    assert_int_equal(date_parse_timestamp(buf, &t, "at", &e), 0);
    assert_true(t >= now && t <= now + 5);
    /* today is the Beijing date: UTC+8, whatever the hour of the run */
    assert_int_equal(date_today(), (Date)((t + 8 * 3600) / 86400));
    {
        int64_t at;
        Date d;

        /* 16:30 UTC on 31 December is already 1 January in Beijing */
        assert_int_equal(
            date_parse_timestamp("2026-12-31T16:30:00Z", &at, "at", &e), 0);
        clock_shift_for_tests(at - (int64_t)time(NULL));
        assert_int_equal(date_from_ymd(2027, 1, 1, &d, "d", &e), 0);
        assert_int_equal(date_today(), d);
        assert_int_equal(
            date_parse_timestamp("2026-12-31T15:30:00Z", &at, "at", &e), 0);
        clock_shift_for_tests(at - (int64_t)time(NULL));
        assert_int_equal(date_from_ymd(2026, 12, 31, &d, "d", &e), 0);
        assert_int_equal(date_today(), d);
        clock_shift_for_tests(0);
    }

    assert_int_equal(date_parse_timestamp("2026-11-22 05:46:00Z", &t, "at", &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "at");
    assert_int_equal(date_parse_timestamp("2026-11-22T05:46:00", &t, "at", &e),
                     ERR_INVALID);
    assert_int_equal(date_parse_timestamp("2026-11-22T24:00:00Z", &t, "at", &e),
                     ERR_INVALID);
    assert_int_equal(date_parse_timestamp("2026-11-22T05:60:00Z", &t, "at", &e),
                     ERR_INVALID);
    assert_int_equal(date_parse_timestamp("2026-02-30T05:46:00Z", &t, "at", &e),
                     ERR_INVALID);
    assert_int_equal(date_parse_timestamp("2026-1a-22T05:46:00Z", &t, "at", &e),
                     ERR_INVALID);
    assert_int_equal(date_parse_timestamp("", &t, "at", &e), ERR_INVALID);
    assert_int_equal(date_parse_timestamp(NULL, &t, "at", &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known),
        cmocka_unit_test(test_roundtrip_all_days),
        cmocka_unit_test(test_leap),
        cmocka_unit_test(test_parse_formats),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_years_between),
        cmocka_unit_test(test_excel_serial),
        cmocka_unit_test(test_timestamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
