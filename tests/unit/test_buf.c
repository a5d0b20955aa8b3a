/* test_buf.c - Buf: growth, cap and sticky error, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"

static void test_empty_is_string(void **state)
{
    Buf b;

    (void)state;
    buf_init(&b, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_append_grows(void **state)
{
    Buf b;
    int i;

    (void)state;
    buf_init(&b, 0);
    for (i = 0; i < 10000; i++) {
        assert_int_equal(buf_appendf(&b, "%d,", i % 10), 0);
    }
    assert_int_equal(b.len, 20000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    buf_release(&b);
}

static void test_cap_is_sticky(void **state)
{
    Buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_append_str(&b, "12345678"), 0);
    assert_int_equal(buf_append_char(&b, '9'), ERR_TOOBIG);
    assert_int_equal(b.len, 8);
    /* later appends do nothing even if they would fit */
    buf_reset(&b);
    assert_int_equal(b.err, 0);
    assert_int_equal(buf_append_str(&b, "ab"), 0);
    assert_int_equal(buf_appendf(&b, "%s", "0123456789"), ERR_TOOBIG);
    assert_int_equal(buf_append_str(&b, "c"), ERR_TOOBIG);
    assert_string_equal(b.data, "ab");
    buf_release(&b);
}

static void test_json_escape(void **state)
{
    Buf b;
    const char in[] = "a\"b\\c\n\x01</script>中";

    (void)state;
    buf_init(&b, 0);
    buf_append_json_str(&b, in, sizeof in - 1);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u003c/script>中\"");
    buf_reset(&b);
    /* invalid UTF-8 becomes U+FFFD */
    buf_append_json_str(&b, "x\xff\xc3(y", 5);
    assert_string_equal(b.data, "\"x\xEF\xBF\xBD\xEF\xBF\xBD(y\"");
    buf_release(&b);
}

static void test_html_escape(void **state)
{
    Buf b;
    const char in[] = "<a href='x'>&\"</a>";

    (void)state;
    buf_init(&b, 0);
    buf_append_html(&b, in, strlen(in));
    assert_string_equal(b.data,
                        "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    buf_release(&b);
}

static void test_csv_field(void **state)
{
    Buf b;

    (void)state;
    buf_init(&b, 0);
    buf_append_csv_field(&b, "plain", 5);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "a,b", 3);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "say \"hi\"", 8);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "=SUM(A1)", 8);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "-1+2,3", 6);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "@x\nline", 7);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "-12.5", 5);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "-1-1", 4);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "-", 1);
    buf_append_char(&b, '|');
    buf_append_csv_field(&b, "-3.", 3);
    assert_string_equal(b.data,
                        "plain|\"a,b\"|\"say \"\"hi\"\"\"|'=SUM(A1)|"
                        "\"'-1+2,3\"|\"'@x\nline\"|-12.5|'-1-1|'-|'-3.");
    buf_release(&b);
}

static void test_detach(void **state)
{
    Buf b;
    size_t n;
    char *p;

    (void)state;
    buf_init(&b, 0);
    p = buf_detach(&b, &n);
    assert_string_equal(p, "");
    assert_int_equal(n, 0);
    free(p);
    buf_append_str(&b, "hello");
    p = buf_detach(&b, &n);
    assert_string_equal(p, "hello");
    assert_int_equal(n, 5);
    assert_int_equal(b.len, 0);
    free(p);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_string),
        cmocka_unit_test(test_append_grows),
        cmocka_unit_test(test_cap_is_sticky),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
