/* test_charset.c - encoding detection and (streaming) conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/charset.h"

/* "中文,企业名称\n¥😀" in GB18030 (¥ and 😀 are four-byte sequences). */
static const char gbk_text[] = "\xD6\xD0\xCE\xC4,\xC6\xF3\xD2\xB5\xC3\xFB"
                               "\xB3\xC6\n\x81\x30\x84\x36\x94\x39\xFC\x36";
static const char utf8_text[] =
    "\xE4\xB8\xAD\xE6\x96\x87,\xE4\xBC\x81\xE4\xB8\x9A\xE5\x90\x8D\xE7\xA7\xB0"
    "\n\xC2\xA5\xF0\x9F\x98\x80";

static void test_detect(void **state)
{
    (void)state;
    assert_int_equal(charset_detect("", 0, 1), CHARSET_UTF8);
    assert_int_equal(charset_detect("a,b\n", 4, 1), CHARSET_UTF8);
    assert_int_equal(charset_detect(utf8_text, strlen(utf8_text), 1),
                     CHARSET_UTF8);
    assert_int_equal(charset_detect("\xEF\xBB\xBF"
                                    "a",
                                    4, 1),
                     CHARSET_UTF8_BOM);
    assert_int_equal(charset_detect(gbk_text, sizeof gbk_text - 1, 1),
                     CHARSET_GB18030);
    assert_int_equal(charset_detect("\xD6\xD0\xCE\xC4", 4, 1), CHARSET_GB18030);
    assert_int_equal(charset_detect("\xFF\xFE"
                                    "a\0",
                                    4, 1),
                     CHARSET_UTF16LE);
    assert_int_equal(charset_detect("\xFE\xFF\0a", 4, 1), CHARSET_UTF16BE);
    /* a prefix cut inside a UTF-8 character is still UTF-8 ... */
    assert_int_equal(charset_detect("ab\xE4\xB8", 4, 0), CHARSET_UTF8);
    /* ... but not when it is the whole file */
    assert_int_equal(charset_detect("ab\xE4\xB8", 4, 1), CHARSET_GB18030);
    /* a lone lead byte at the cut gets the benefit of the doubt */
    assert_int_equal(charset_detect("ab\xD6", 3, 0), CHARSET_UTF8);
    assert_int_equal(charset_detect("ab\xD6\xD0", 4, 0), CHARSET_GB18030);
    assert_string_equal(charset_name(CHARSET_GB18030), "GB18030");
}

/* One-shot conversion that must succeed; returns kind, checks output. */
static int oneshot_ok(const char *in, size_t n, const char *want)
{
    Buf out;
    Err e;
    int kind = -1;

    buf_init(&out, 0);
    err_clear(&e);
    if (charset_to_utf8(in, n, &out, &kind, &e) != 0) {
        fail_msg("conversion failed: %s", e.msg);
    }
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    buf_release(&out);
    return kind;
}

static void test_oneshot(void **state)
{
    char bom[64];

    (void)state;
    assert_int_equal(oneshot_ok(gbk_text, sizeof gbk_text - 1, utf8_text),
                     CHARSET_GB18030);
    assert_int_equal(oneshot_ok(utf8_text, strlen(utf8_text), utf8_text),
                     CHARSET_UTF8);
    snprintf(bom, sizeof bom, "\xEF\xBB\xBF%s", "a,b\n");
    assert_int_equal(oneshot_ok(bom, strlen(bom), "a,b\n"), CHARSET_UTF8_BOM);
    /* only the leading BOM goes; a later U+FEFF is content */
    assert_int_equal(
        oneshot_ok("\xEF\xBB\xBF\xEF\xBB\xBFx", 7, "\xEF\xBB\xBFx"),
        CHARSET_UTF8_BOM);
    /* GB18030 BOM (84 31 95 33) is dropped too */
    assert_int_equal(oneshot_ok("\x84\x31\x95\x33\xD6\xD0", 6, "\xE4\xB8\xAD"),
                     CHARSET_GB18030);
    assert_int_equal(oneshot_ok("", 0, ""), CHARSET_UTF8);
}

static void test_oneshot_errors(void **state)
{
    Buf out;
    Err e;
    int kind;

    (void)state;
    buf_init(&out, 0);
    assert_int_equal(charset_to_utf8("\xFF\xFE"
                                     "a\0b\0",
                                     6, &out, &kind, &e),
                     ERR_INVALID);
    assert_int_equal(kind, CHARSET_UTF16LE);
    assert_non_null(strstr(e.msg, "请另存为 UTF-8 或 GBK 编码的 CSV"));
    assert_int_equal(charset_to_utf8("\xFE\xFF\0a", 4, &out, &kind, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "UTF-16"));

    /* 0x80 is not a GB18030 lead byte: 4th byte, 1-based */
    assert_int_equal(charset_to_utf8("abc\x80xyz", 7, &out, &kind, &e),
                     ERR_INVALID);
    assert_int_equal(kind, CHARSET_GB18030);
    assert_string_equal(
        e.msg, "第 4 字节处的编码无法识别（既不是 UTF-8 也不是 GB18030）");
    assert_string_equal(e.field, "encoding");

    /* file ends inside a GBK character */
    buf_reset(&out);
    assert_int_equal(charset_to_utf8("ab\xD6\xD0\xCE", 5, &out, &kind, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "第 5 字节"));
    assert_non_null(strstr(e.msg, "不完整"));
    buf_release(&out);
}

/* Feed in (n bytes) in chunks of the given sizes (cycled), finish, and
 * compare with want. */
static void stream_ok(int kind, const char *in, size_t n, size_t chunk,
                      size_t first, const char *want)
{
    CharsetConv *c = NULL;
    Buf out;
    Err e;
    size_t off = 0;

    buf_init(&out, 0);
    assert_int_equal(charset_conv_new(kind, &c, &e), 0);
    while (off < n) {
        size_t take = off == 0 && first ? first : chunk;
        if (take > n - off) {
            take = n - off;
        }
        if (charset_conv_feed(c, in + off, take, &out, &e) != 0) {
            fail_msg("feed at %zu failed: %s", off, e.msg);
        }
        off += take;
    }
    if (charset_conv_finish(c, &out, &e) != 0) {
        fail_msg("finish failed: %s", e.msg);
    }
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    charset_conv_free(c);
    buf_release(&out);
}

static void test_stream_gbk_splits(void **state)
{
    size_t n = sizeof gbk_text - 1;
    size_t cut;

    (void)state;
    /* byte by byte, and two chunks split at every position (this cuts
     * every two- and four-byte character in every place) */
    stream_ok(CHARSET_GB18030, gbk_text, n, 1, 0, utf8_text);
    stream_ok(CHARSET_GB18030, gbk_text, n, 3, 0, utf8_text);
    for (cut = 1; cut < n; cut++) {
        stream_ok(CHARSET_GB18030, gbk_text, n, n, cut, utf8_text);
        stream_ok(CHARSET_AUTO, gbk_text, n, n, cut, utf8_text);
    }
}

static void test_stream_utf8_splits(void **state)
{
    char bom[128];
    size_t n;
    size_t cut;

    (void)state;
    snprintf(bom, sizeof bom, "\xEF\xBB\xBF%s", utf8_text);
    n = strlen(bom);
    stream_ok(CHARSET_UTF8_BOM, bom, n, 1, 0, utf8_text);
    stream_ok(CHARSET_AUTO, bom, n, 1, 0, utf8_text);
    for (cut = 1; cut < n; cut++) {
        stream_ok(CHARSET_UTF8_BOM, bom, n, n, cut, utf8_text);
        stream_ok(CHARSET_UTF8, bom + 3, n - 3, n, cut, utf8_text);
    }
}

static void test_stream_error_offset(void **state)
{
    CharsetConv *c = NULL;
    Buf out;
    Err e;

    (void)state;
    buf_init(&out, 0);
    assert_int_equal(charset_conv_new(CHARSET_GB18030, &c, &e), 0);
    assert_int_equal(charset_conv_feed(c, "\xD6\xD0\xCE", 3, &out, &e), 0);
    /* C4 completes 文; then "ab", then 0xFF at stream offset 6 */
    assert_int_equal(charset_conv_feed(c,
                                       "\xC4"
                                       "ab\xFF",
                                       4, &out, &e),
                     ERR_INVALID);
    assert_int_equal(charset_conv_bad_offset(c), 6);
    assert_non_null(strstr(e.msg, "第 7 字节"));
    assert_memory_equal(out.data,
                        "\xE4\xB8\xAD\xE6\x96\x87"
                        "ab",
                        8);
    /* sticky */
    err_clear(&e);
    assert_int_equal(charset_conv_feed(c, "ok", 2, &out, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "第 7 字节"));
    assert_int_equal(charset_conv_finish(c, &out, &e), ERR_INVALID);
    charset_conv_free(c);

    /* UTF-8 stream: a GBK byte later in the file */
    buf_reset(&out);
    assert_int_equal(charset_conv_new(CHARSET_UTF8, &c, &e), 0);
    assert_int_equal(charset_conv_feed(c, "abc\xE4\xB8", 5, &out, &e), 0);
    assert_int_equal(charset_conv_feed(c, "\xAD\xD6\xD0", 3, &out, &e),
                     ERR_INVALID);
    assert_int_equal(charset_conv_bad_offset(c), 6);
    assert_non_null(strstr(e.msg, "第 7 字节"));
    assert_non_null(strstr(e.msg, "UTF-8"));
    charset_conv_free(c);

    /* UTF-8 stream ending inside a character */
    buf_reset(&out);
    assert_int_equal(charset_conv_new(CHARSET_UTF8, &c, &e), 0);
    assert_int_equal(charset_conv_feed(c, "ab\xF0\x9F", 4, &out, &e), 0);
    assert_int_equal(charset_conv_finish(c, &out, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "不完整"));
    charset_conv_free(c);
    buf_release(&out);
}

static void test_auto_large(void **state)
{
    size_t n = CHARSET_DETECT_BYTES + 5000;
    char *in = malloc(n);
    CharsetConv *c = NULL;
    Buf out;
    Err e;
    size_t off;

    (void)state;
    assert_non_null(in);
    /* 64 KiB of ASCII then GBK: detected as UTF-8, so the GBK byte is an
     * error at its offset in the stream */
    memset(in, 'a', n);
    memcpy(in + CHARSET_DETECT_BYTES + 100, "\xD6\xD0", 2);
    buf_init(&out, 0);
    assert_int_equal(charset_conv_new(CHARSET_AUTO, &c, &e), 0);
    assert_int_equal(charset_conv_kind(c), CHARSET_AUTO);
    for (off = 0; off < n; off += 4096) {
        size_t take = n - off < 4096 ? n - off : 4096;
        if (charset_conv_feed(c, in + off, take, &out, &e) != 0) {
            break;
        }
    }
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(charset_conv_kind(c), CHARSET_UTF8);
    assert_int_equal(charset_conv_bad_offset(c), CHARSET_DETECT_BYTES + 100);
    charset_conv_free(c);

    /* GBK early in the file: the whole thing converts */
    memset(in, 'a', n);
    memcpy(in + 10, "\xD6\xD0", 2);
    buf_reset(&out);
    assert_int_equal(charset_conv_new(CHARSET_AUTO, &c, &e), 0);
    for (off = 0; off < n; off += 7777) {
        size_t take = n - off < 7777 ? n - off : 7777;
        assert_int_equal(charset_conv_feed(c, in + off, take, &out, &e), 0);
    }
    assert_int_equal(charset_conv_finish(c, &out, &e), 0);
    assert_int_equal(charset_conv_kind(c), CHARSET_GB18030);
    assert_int_equal(out.len, n + 1); /* 2 GBK bytes -> 3 UTF-8 bytes */
    assert_memory_equal(out.data + 10, "\xE4\xB8\xAD", 3);
    charset_conv_free(c);
    buf_release(&out);
    free(in);
}

static void test_refuse_and_cap(void **state)
{
    CharsetConv *c = (CharsetConv *)&c;
    Buf out;
    Err e;

    (void)state;
    assert_int_equal(charset_conv_new(CHARSET_UTF16LE, &c, &e), ERR_INVALID);
    assert_null(c);
    assert_non_null(strstr(e.msg, "请另存为 UTF-8 或 GBK 编码的 CSV"));

    /* AUTO refuses UTF-16 once it sees the BOM */
    buf_init(&out, 0);
    assert_int_equal(charset_conv_new(CHARSET_AUTO, &c, &e), 0);
    assert_int_equal(charset_conv_feed(c,
                                       "\xFF\xFE"
                                       "a\0",
                                       4, &out, &e),
                     0);
    assert_int_equal(charset_conv_finish(c, &out, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "UTF-16"));
    charset_conv_free(c);
    buf_release(&out);

    /* output cap */
    buf_init(&out, 4);
    assert_int_equal(
        charset_to_utf8(gbk_text, sizeof gbk_text - 1, &out, NULL, &e),
        ERR_TOOBIG);
    buf_release(&out);
    buf_init(&out, 4);
    assert_int_equal(charset_to_utf8("abcdefgh", 8, &out, NULL, &e),
                     ERR_TOOBIG);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_oneshot),
        cmocka_unit_test(test_oneshot_errors),
        cmocka_unit_test(test_stream_gbk_splits),
        cmocka_unit_test(test_stream_utf8_splits),
        cmocka_unit_test(test_stream_error_offset),
        cmocka_unit_test(test_auto_large),
        cmocka_unit_test(test_refuse_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
