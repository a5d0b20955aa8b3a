/* test_uscc.c - 统一社会信用代码 normalisation and checks (criteria §7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/uscc.h"

static const char *const valid_codes[] = {
    "91110000600037341L", "121200004013590816", "91120224064012553U",
    "9144030071526726XG", "91340600MA2PBM9HXD", "91350100M000100Y43",
    "914403001922038216",
};

#define N_VALID (sizeof valid_codes / sizeof valid_codes[0])

/* Normalise in; expect success and the given result. */
static void norm_ok(const char *in, const char *want)
{
    char out[USCC_LEN + 1];
    Err e;

    err_clear(&e);
    if (uscc_normalize(in, out, &e) != 0) {
        fail_msg("\"%s\" rejected: %s", in, e.msg);
    }
    assert_string_equal(out, want);
}

/* Normalise in; expect ERR_INVALID; return the message. */
static const char *norm_bad(const char *in, Err *e)
{
    char out[USCC_LEN + 1];

    memcpy(out, "XXXXXXXXXXXXXXXXXX", sizeof out);
    err_clear(e);
    assert_int_equal(uscc_normalize(in, out, e), ERR_INVALID);
    assert_int_equal(e->code, ERR_INVALID);
    assert_string_equal(e->field, "uscc");
    assert_string_equal(out, "");
    return e->msg;
}

static void test_valid_vectors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N_VALID; i++) {
        norm_ok(valid_codes[i], valid_codes[i]);
    }
}

static void test_check_char(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N_VALID; i++) {
        assert_int_equal(uscc_check_char(valid_codes[i]), valid_codes[i][17]);
    }
    assert_int_equal(uscc_check_char("91340000711703078"), 'P');
    assert_int_equal(uscc_check_char("9111000060003734I"), '\0');
    assert_int_equal(uscc_check_char("911100006000373"), '\0');   /* short */
    assert_int_equal(uscc_check_char("9111000060003734l"), '\0'); /* lower */
}

static void test_bad_check(void **state)
{
    Err e;

    (void)state;
    assert_string_equal(norm_bad("91110000600037341N", &e),
                        "统一社会信用代码第18位校验码应为 L，实际为 N");
    assert_string_equal(norm_bad("913400007117030788", &e),
                        "统一社会信用代码第18位校验码应为 P，实际为 8");
    norm_bad("91110000600037341P", &e);
    /* a single transposition is caught */
    norm_bad("19110000600037341L", &e);
}

static void test_bad_chars(void **state)
{
    Err e;
    const char *m;

    (void)state;
    m = norm_bad("9111000060003IOZSV", &e);
    assert_non_null(strstr(m, "第 14 位字符 I 不是合法字符"));
    m = norm_bad("91110000I00037341L", &e);
    assert_non_null(strstr(m, "第 9 位字符 I 不是合法字符"));
    m = norm_bad("9111000060003734!L", &e);
    assert_non_null(strstr(m, "第 17 位字符 ! 不是合法字符"));
    /* a Chinese character is shown as itself */
    m = norm_bad("91110000\xE4\xB8\xAD"
                 "00037341L",
                 &e);
    assert_non_null(strstr(m, "第 9 位字符 \xE4\xB8\xAD 不是合法字符"));
    /* an invalid byte is shown in hex */
    m = norm_bad("9\xFF"
                 "1100006000373410",
                 &e);
    assert_non_null(strstr(m, "第 2 位字符 0xFF 不是合法字符"));
    /* a control character as U+XXXX */
    m = norm_bad("9\x01"
                 "1100006000373410",
                 &e);
    assert_non_null(strstr(m, "第 2 位字符 U+0001 不是合法字符"));
}

static void test_bad_length(void **state)
{
    Err e;

    (void)state;
    assert_string_equal(norm_bad("12345", &e),
                        "统一社会信用代码应为 18 位，实际为 5 位");
    assert_string_equal(norm_bad("91110000600037341LL", &e),
                        "统一社会信用代码应为 18 位，实际为 19 位");
    /* length counts characters, not bytes */
    assert_string_equal(norm_bad("\xE4\xB8\xAD\xE6\x96\x87", &e),
                        "统一社会信用代码应为 18 位，实际为 2 位");
    assert_string_equal(norm_bad("", &e), "统一社会信用代码不能为空");
    assert_string_equal(norm_bad(" - ", &e), "统一社会信用代码不能为空");
    assert_string_equal(norm_bad(NULL, &e), "统一社会信用代码不能为空");
}

static void test_normalisation(void **state)
{
    (void)state;
    norm_ok("  91110000600037341L\t\n", "91110000600037341L");
    norm_ok("91110000600037341l", "91110000600037341L");
    norm_ok("91340600ma2pbm9hxd", "91340600MA2PBM9HXD");
    norm_ok("9111-0000-6000-3734-1L", "91110000600037341L");
    norm_ok("911 100 006 000 373 41L", "91110000600037341L");
    /* full-width: ９１１１００００６０００３７３４１Ｌ */
    norm_ok("\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x90"
            "\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x96\xEF\xBC\x90"
            "\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x93\xEF\xBC\x97\xEF\xBC\x93"
            "\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\xAC",
            "91110000600037341L");
    /* full-width lower-case ｌ, ideographic space and full-width hyphen */
    norm_ok("\xE3\x80\x80"
            "9111\xEF\xBC\x8D"
            "0000600037341\xEF\xBD\x8C"
            "\xE3\x80\x80",
            "91110000600037341L");
}

static void test_orgcode_warning(void **state)
{
    Err e;
    size_t i;

    (void)state;
    for (i = 0; i < N_VALID; i++) {
        err_clear(&e);
        if (uscc_check_orgcode(valid_codes[i], &e) != 0) {
            fail_msg("%s: %s", valid_codes[i], e.msg);
        }
    }
    /* change char 17 and repair the USCC check char: a valid USCC whose
     * organisation code is inconsistent is accepted by uscc_normalize but
     * warned about here */
    {
        char code[USCC_LEN + 1] = "91110000600037342";
        char out[USCC_LEN + 1];
        code[17] = uscc_check_char(code);
        code[18] = '\0';
        assert_int_equal(uscc_normalize(code, out, &e), 0);
        assert_int_equal(uscc_check_orgcode(out, &e), ERR_INVALID);
        assert_non_null(strstr(e.msg, "应为 1，实际为 2"));
        assert_non_null(strstr(e.msg, "仅提示"));
    }
    assert_int_equal(uscc_check_orgcode("123", &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors),
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_bad_check),
        cmocka_unit_test(test_bad_chars),
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_orgcode_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
