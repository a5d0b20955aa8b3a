/* test_money.c - exact 万元 / 元 parsing and 万元 formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/money.h"

/* Parse s as 万元 (negatives allowed) and return the 元 value; fails the
 * test when parsing fails. */
static int64_t wan_ok(const char *s)
{
    Err e;
    int64_t v = -12345;

    err_clear(&e);
    if (money_parse_wan(s, &v, 1, "amount", &e) != 0) {
        fail_msg("\"%s\" rejected: %s", s, e.msg);
    }
    return v;
}

/* Expect s to be rejected; return the message. */
static const char *wan_bad(const char *s, int allow_negative, Err *e)
{
    int64_t v = 777;

    err_clear(e);
    assert_int_equal(money_parse_wan(s, &v, allow_negative, "amount", e),
                     ERR_INVALID);
    assert_int_equal(e->code, ERR_INVALID);
    assert_string_equal(e->field, "amount");
    assert_int_equal(v, 777); /* untouched on error */
    return e->msg;
}

static void test_wan_basic(void **state)
{
    (void)state;
    assert_int_equal(wan_ok("1234.5678"), 12345678);
    assert_int_equal(wan_ok("0.0001"), 1);
    assert_int_equal(wan_ok("5000"), 50000000);
    assert_int_equal(wan_ok("0"), 0);
    assert_int_equal(wan_ok("-0"), 0);
    assert_int_equal(wan_ok(".5"), 5000);
    assert_int_equal(wan_ok("5."), 50000);
    assert_int_equal(wan_ok("  12 "), 120000);
    assert_int_equal(wan_ok("\t12\r\n"), 120000);
    assert_int_equal(wan_ok("+3"), 30000);
    assert_int_equal(wan_ok("-1.5"), -15000);
    assert_int_equal(wan_ok("007.10"), 71000);
    assert_int_equal(wan_ok("1.2300"), 12300);
}

static void test_wan_separators(void **state)
{
    Err e;

    (void)state;
    assert_int_equal(wan_ok("1,234.5"), 12345000);
    assert_int_equal(wan_ok("12,345,678"), 123456780000);
    assert_int_equal(wan_ok("999,999"), 9999990000);
    assert_non_null(strstr(wan_bad("12,34", 1, &e), "千位分隔符"));
    assert_non_null(strstr(wan_bad("1,2345", 1, &e), "千位分隔符"));
    assert_non_null(strstr(wan_bad(",123", 1, &e), "千位分隔符"));
    assert_non_null(strstr(wan_bad("1234,567", 1, &e), "千位分隔符"));
    assert_non_null(strstr(wan_bad("1,,234", 1, &e), "千位分隔符"));
    assert_non_null(strstr(wan_bad("1,234,", 1, &e), "千位分隔符"));
}

static void test_wan_fullwidth(void **state)
{
    (void)state;
    /* １２３ */
    assert_int_equal(wan_ok("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"), 1230000);
    /* １．５ */
    assert_int_equal(wan_ok("\xEF\xBC\x91\xEF\xBC\x8E\xEF\xBC\x95"), 15000);
    /* U+3000 around, full-width comma: １，０００ */
    assert_int_equal(wan_ok("\xE3\x80\x80\xEF\xBC\x91\xEF\xBC\x8C\xEF\xBC\x90"
                            "\xEF\xBC\x90\xEF\xBC\x90\xE3\x80\x80"),
                     10000000);
}

static void test_wan_rejects(void **state)
{
    Err e;

    (void)state;
    assert_string_equal(wan_bad("1.23456", 1, &e),
                        "金额最多精确到 0.0001 万元（1 元）");
    assert_string_equal(wan_bad("0.00001", 1, &e),
                        "金额最多精确到 0.0001 万元（1 元）");
    assert_string_equal(wan_bad("", 1, &e), "金额不能为空");
    assert_string_equal(wan_bad("   ", 1, &e), "金额不能为空");
    assert_string_equal(wan_bad(NULL, 1, &e), "金额不能为空");
    assert_non_null(strstr(wan_bad("12a", 1, &e), "12a"));
    wan_bad("1e5", 1, &e);
    wan_bad(".", 1, &e);
    wan_bad("-", 1, &e);
    wan_bad("--1", 1, &e);
    wan_bad("1.2.3", 1, &e);
    wan_bad("1 000", 1, &e);
    wan_bad("0x10", 1, &e);
    wan_bad("\xE4\xB8\x87", 1, &e); /* 万 */
    wan_bad("12\xE4\xB8\x87", 1, &e);
    assert_string_equal(wan_bad("-1", 0, &e), "金额不能为负数");
    assert_string_equal(wan_bad("-0.0001", 0, &e), "金额不能为负数");
}

static void test_wan_negative_zero_not_allowed(void **state)
{
    Err e;
    int64_t v = 5;

    (void)state;
    assert_int_equal(money_parse_wan("-0", &v, 0, "amount", &e), 0);
    assert_int_equal(v, 0);
    assert_int_equal(money_parse_wan("12", &v, 0, "amount", &e), 0);
    assert_int_equal(v, 120000);
}

static void test_wan_limits(void **state)
{
    Err e;

    (void)state;
    /* INT64_MAX = 9223372036854775807 元 */
    assert_true(wan_ok("922337203685477.5807") == INT64_MAX);
    assert_true(wan_ok("922,337,203,685,477.5807") == INT64_MAX);
    assert_true(wan_ok("-922337203685477.5808") == INT64_MIN);
    assert_non_null(strstr(wan_bad("922337203685477.5808", 1, &e), "范围"));
    assert_non_null(strstr(wan_bad("-922337203685477.5809", 1, &e), "范围"));
    assert_non_null(strstr(wan_bad("922337203685478", 1, &e), "范围"));
    assert_non_null(
        strstr(wan_bad("99999999999999999999999999", 1, &e), "范围"));
    /* many leading zeros are not an overflow */
    assert_int_equal(wan_ok("0000000000000000000000000001"), 10000);
}

static void test_wan_too_long(void **state)
{
    char s[MONEY_INPUT_MAX + 2];
    Err e;

    (void)state;
    memset(s, '1', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    wan_bad(s, 1, &e);
}

static void test_yuan(void **state)
{
    Err e;
    int64_t v = 0;

    (void)state;
    assert_int_equal(money_parse_yuan("12345", &v, 0, "fee", &e), 0);
    assert_int_equal(v, 12345);
    assert_int_equal(money_parse_yuan(" 12,345.00 ", &v, 0, "fee", &e), 0);
    assert_int_equal(v, 12345);
    assert_int_equal(money_parse_yuan("7.0", &v, 0, "fee", &e), 0);
    assert_int_equal(v, 7);
    assert_int_equal(money_parse_yuan("-7", &v, 1, "fee", &e), 0);
    assert_int_equal(v, -7);
    assert_true(money_parse_yuan("9223372036854775807", &v, 0, "fee", &e) ==
                    0 &&
                v == INT64_MAX);
    assert_int_equal(money_parse_yuan("9223372036854775808", &v, 0, "fee", &e),
                     ERR_INVALID);
    assert_int_equal(money_parse_yuan("12.50", &v, 0, "fee", &e), ERR_INVALID);
    assert_string_equal(e.field, "fee");
    assert_non_null(strstr(e.msg, "整数元"));
    assert_int_equal(money_parse_yuan("12.000", &v, 0, "fee", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "两位小数"));
    assert_int_equal(money_parse_yuan("-7", &v, 0, "fee", &e), ERR_INVALID);
    assert_int_equal(money_parse_yuan("abc", &v, 0, "fee", &e), ERR_INVALID);
}

static void check_format(int64_t yuan, const char *want)
{
    Buf b;

    buf_init(&b, 0);
    assert_int_equal(money_format_wan(yuan, &b), 0);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void test_format(void **state)
{
    (void)state;
    check_format(12345678, "1234.5678");
    check_format(50000000, "5000");
    check_format(-1, "-0.0001");
    check_format(0, "0");
    check_format(1, "0.0001");
    check_format(5000, "0.5");
    check_format(12300, "1.23");
    check_format(-15000, "-1.5");
    check_format(INT64_MAX, "922337203685477.5807");
    check_format(INT64_MIN, "-922337203685477.5808");
}

static void test_roundtrip(void **state)
{
    int64_t probes[] = {0,         1,         -1,           9999,
                        10000,     10001,     123456789,    -5000001,
                        INT64_MAX, INT64_MIN, INT64_MAX - 1};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        Buf b;
        buf_init(&b, 0);
        assert_int_equal(money_format_wan(probes[i], &b), 0);
        assert_true(wan_ok(b.data) == probes[i]);
        buf_release(&b);
    }
}

static void test_format_cap(void **state)
{
    Buf b;

    (void)state;
    buf_init(&b, 3);
    assert_int_equal(money_format_wan(12345678, &b), ERR_TOOBIG);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wan_basic),
        cmocka_unit_test(test_wan_separators),
        cmocka_unit_test(test_wan_fullwidth),
        cmocka_unit_test(test_wan_rejects),
        cmocka_unit_test(test_wan_negative_zero_not_allowed),
        cmocka_unit_test(test_wan_limits),
        cmocka_unit_test(test_wan_too_long),
        cmocka_unit_test(test_yuan),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_format_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
