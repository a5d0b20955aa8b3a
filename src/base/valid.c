/* valid.c - text validation for the domain layer. */
#include "base/valid.h"

#include <string.h>

#include "base/utf8.h"

/* Length of leading blank (ASCII space/tab or U+3000) at s, or 0. */
static size_t valid_blank_at(const char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || s[0] == '\t')) {
        return 1;
    }
    if (n >= 3 && (unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
        (unsigned char)s[2] == 0x80) {
        return 3;
    }
    return 0;
}

int valid_text(const char *in, size_t min_chars, size_t max_chars, char *out,
               size_t out_cap, const char *field, const char *label, Err *e)
{
    const char *s = in ? in : "";
    size_t n = strlen(s);
    size_t k;
    size_t chars;
    size_t i;

    while ((k = valid_blank_at(s, n)) > 0) {
        s += k;
        n -= k;
    }
    for (;;) {
        if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        } else if (n >= 3 && valid_blank_at(s + n - 3, 3) == 3) {
            n -= 3;
        } else {
            break;
        }
    }
    if (!utf8_validate(s, n, NULL)) {
        return err_set(e, ERR_INVALID, field, "%s含有无效的字符编码", label);
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7F) {
            return err_set(e, ERR_INVALID, field, "%s不能含有控制字符", label);
        }
    }
    chars = utf8_count_chars(s, n);
    if (chars < min_chars) {
        if (min_chars <= 1) {
            return err_set(e, ERR_INVALID, field, "%s不能为空", label);
        }
        return err_set(e, ERR_INVALID, field, "%s至少 %zu 个字符", label,
                       min_chars);
    }
    if (chars > max_chars) {
        return err_set(e, ERR_INVALID, field, "%s最多 %zu 个字符", label,
                       max_chars);
    }
    if (n + 1 > out_cap) {
        return err_set(e, ERR_INVALID, field, "%s过长", label);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}
