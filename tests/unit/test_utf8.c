/* test_utf8.c - strict UTF-8 decoding, validation, counting, truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/utf8.h"

static void test_decode_valid(void **state)
{
    uint32_t cp = 0;

    (void)state;
    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode("\xC2\x80", 2, &cp), 2);
    assert_int_equal(cp, 0x80);
    assert_int_equal(utf8_decode("\xE4\xB8\xAD", 3, &cp), 3); /* 中 */
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(utf8_decode("\xEF\xBF\xBF", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFF);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(utf8_decode("\0", 1, &cp), 1);
    assert_int_equal(cp, 0);
}

static void test_decode_invalid(void **state)
{
    (void)state;
    assert_int_equal(utf8_decode("", 0, NULL), 0);
    assert_int_equal(utf8_decode("\x80", 1, NULL), 0);         /* cont. */
    assert_int_equal(utf8_decode("\xC0\x80", 2, NULL), 0);     /* overlong */
    assert_int_equal(utf8_decode("\xC1\xBF", 2, NULL), 0);     /* overlong */
    assert_int_equal(utf8_decode("\xE0\x9F\xBF", 3, NULL), 0); /* overlong */
    assert_int_equal(utf8_decode("\xF0\x8F\xBF\xBF", 4, NULL), 0);
    assert_int_equal(utf8_decode("\xED\xA0\x80", 3, NULL), 0); /* U+D800 */
    assert_int_equal(utf8_decode("\xED\xBF\xBF", 3, NULL), 0); /* U+DFFF */
    assert_int_equal(utf8_decode("\xF4\x90\x80\x80", 4, NULL), 0);
    assert_int_equal(utf8_decode("\xF5\x80\x80\x80", 4, NULL), 0);
    assert_int_equal(utf8_decode("\xFF", 1, NULL), 0);
    assert_int_equal(utf8_decode("\xE4\xB8", 2, NULL), 0); /* truncated */
    assert_int_equal(utf8_decode("\xE4\xB8\xAD", 2, NULL), 0);
    assert_int_equal(utf8_decode("\xE4\x41\xAD", 3, NULL), 0);
}

static void test_encode(void **state)
{
    char out[4];
    uint32_t cp = 0;
    uint32_t probes[] = {0,      0x7F,   0x80,    0x7FF,   0x800,
                         0x4E2D, 0xFFFF, 0x10000, 0x10FFFF};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int len = utf8_encode(probes[i], out);
        assert_true(len >= 1 && len <= 4);
        assert_int_equal(utf8_decode(out, (size_t)len, &cp), len);
        assert_int_equal(cp, probes[i]);
    }
    assert_int_equal(utf8_encode(0xD800, out), 0);
    assert_int_equal(utf8_encode(0x110000, out), 0);
}

static void test_validate(void **state)
{
    size_t bad = 99;
    const char *ok = "abc \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80";

    (void)state;
    assert_int_equal(utf8_validate(ok, strlen(ok), &bad), 1);
    assert_int_equal(utf8_validate("", 0, &bad), 1);
    assert_int_equal(utf8_validate("ab\xC0\x80", 4, &bad), 0);
    assert_int_equal(bad, 2);
    assert_int_equal(utf8_validate("\xE4\xB8\xAD\xD6\xD0", 5, &bad), 0);
    assert_int_equal(bad, 3);
    assert_int_equal(utf8_validate("abc\xE4\xB8", 5, &bad), 0); /* cut */
    assert_int_equal(bad, 3);
    assert_int_equal(utf8_validate("x\xED\xA0\x80", 4, NULL), 0);
    /* embedded NUL is valid UTF-8 */
    assert_int_equal(utf8_validate("a\0b", 3, NULL), 1);
}

static void test_count_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_count_chars("", 0), 0);
    assert_int_equal(utf8_count_chars("abc", 3), 3);
    assert_int_equal(utf8_count_chars("\xE4\xB8\xAD\xE6\x96\x87", 6), 2);
    assert_int_equal(utf8_count_chars("a\xF0\x9F\x98\x80z", 6), 3);
    /* invalid bytes count one each */
    assert_int_equal(utf8_count_chars("\xFF\xFE", 2), 2);
    assert_int_equal(utf8_count_chars("\xE4\xB8", 2), 2);
}

static void test_truncate(void **state)
{
    const char *s = "a\xE4\xB8\xAD\xE6\x96\x87"; /* a中文, 7 bytes */

    (void)state;
    assert_int_equal(utf8_truncate(s, 7, 100), 7);
    assert_int_equal(utf8_truncate(s, 7, 7), 7);
    assert_int_equal(utf8_truncate(s, 7, 6), 4);
    assert_int_equal(utf8_truncate(s, 7, 5), 4);
    assert_int_equal(utf8_truncate(s, 7, 4), 4);
    assert_int_equal(utf8_truncate(s, 7, 3), 1);
    assert_int_equal(utf8_truncate(s, 7, 1), 1);
    assert_int_equal(utf8_truncate(s, 7, 0), 0);
    /* invalid bytes are single units */
    assert_int_equal(utf8_truncate("\xFF\xFF\xFF", 3, 2), 2);
}

static void test_fold_width(void **state)
{
    char out[64];
    /* １２３．５，Ａｚ＿ and U+3000 */
    const char *in = "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x8E"
                     "\xEF\xBC\x95\xEF\xBC\x8C\xEF\xBC\xA1\xEF\xBD\x9A"
                     "\xEF\xBC\xBF\xE3\x80\x80x";
    const char *kept = "\xE4\xB8\xAD\xFF-\xEF\xBD\xA1"; /* 中, bad, U+FF61 */

    (void)state;
    assert_int_equal(utf8_fold_width(in, strlen(in), out), 11);
    assert_string_equal(out, "123.5,Az_ x");
    assert_int_equal(utf8_fold_width(kept, strlen(kept), out), strlen(kept));
    assert_string_equal(out, kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_count_chars),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_fold_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
