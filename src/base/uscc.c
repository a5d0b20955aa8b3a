/* uscc.c - 统一社会信用代码 normalisation and check characters. */
#include "uscc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const int uscc_weights[USCC_LEN - 1] = {
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* Value of c in USCC_CHARSET (0-30), or -1. */
static int uscc_value(char c)
{
    const char *p;

    if (c == '\0') {
        return -1;
    }
    p = strchr(USCC_CHARSET, c);
    return p ? (int)(p - USCC_CHARSET) : -1;
}

char uscc_check_char(const char *prefix)
{
    int sum = 0;
    int i;

    for (i = 0; i < USCC_LEN - 1; i++) {
        int v = uscc_value(prefix[i]);
        if (v < 0) {
            return '\0';
        }
        sum += v * uscc_weights[i];
    }
    return USCC_CHARSET[(31 - sum % 31) % 31];
}

/* Describe the character at s (len bytes; cp valid when len > 0 came from
 * a successful decode) for a message: itself when printable, else U+XXXX
 * or the byte in hex. */
static void uscc_describe(const char *s, int len, uint32_t cp, char *out,
                          size_t cap)
{
    if (len == 0) {
        snprintf(out, cap, "0x%02X", (unsigned)(unsigned char)s[0]);
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
        snprintf(out, cap, "U+%04X", (unsigned)cp);
    } else {
        snprintf(out, cap, "%.*s", len, s);
    }
}

int uscc_normalize(const char *in, char out[USCC_LEN + 1], Err *e)
{
    size_t n;
    size_t i = 0;
    size_t count = 0;
    size_t bad_pos = 0; /* 1-based position of the first illegal char */
    char bad_desc[16] = "";
    char code[USCC_LEN + 1];
    char expect;
    int rc = 0;

    out[0] = '\0';
    if (!in) {
        in = "";
    }
    n = strlen(in);
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_decode(in + i, n - i, &cp);
        uint32_t c = cp;
        if (len == 3 && cp >= 0xFF01 && cp <= 0xFF5E) {
            c = cp - 0xFF01 + 0x21;
        } else if (len == 3 && cp == 0x3000) {
            c = ' ';
        }
        if (len > 0 &&
            (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-')) {
            i += (size_t)len;
            continue;
        }
        if (len > 0 && c >= 'a' && c <= 'z') {
            c -= 'a' - 'A';
        }
        count++;
        if (count <= USCC_LEN) {
            if (len > 0 && c < 0x80 && uscc_value((char)c) >= 0) {
                code[count - 1] = (char)c;
            } else {
                code[count - 1] = '?';
                if (bad_pos == 0) {
                    bad_pos = count;
                    if (len > 0 && c < 0x80) {
                        char one = (char)c;
                        uscc_describe(&one, 1, c, bad_desc, sizeof bad_desc);
                    } else {
                        uscc_describe(in + i, len, cp, bad_desc,
                                      sizeof bad_desc);
                    }
                }
            }
        }
        i += len > 0 ? (size_t)len : 1;
    }
    if (count == 0) {
        rc = err_set(e, ERR_INVALID, USCC_FIELD, "统一社会信用代码不能为空");
        goto out;
    }
    if (count != USCC_LEN) {
        rc = err_set(e, ERR_INVALID, USCC_FIELD,
                     "统一社会信用代码应为 18 位，实际为 %zu 位", count);
        goto out;
    }
    if (bad_pos) {
        int excluded = strlen(bad_desc) == 1 && strchr("IOSVZ", bad_desc[0]);
        rc =
            err_set(e, ERR_INVALID, USCC_FIELD,
                    "统一社会信用代码第 %zu 位字符 %s 不是合法字符%s", bad_pos,
                    bad_desc, excluded ? "（代码中不使用 I、O、S、V、Z）" : "");
        goto out;
    }
    code[USCC_LEN] = '\0';
    expect = uscc_check_char(code);
    if (expect != code[USCC_LEN - 1]) {
        rc = err_set(e, ERR_INVALID, USCC_FIELD,
                     "统一社会信用代码第18位校验码应为 %c，实际为 %c", expect,
                     code[USCC_LEN - 1]);
        goto out;
    }
    memcpy(out, code, USCC_LEN + 1);
out:
    return rc;
}

int uscc_check_orgcode(const char *code, Err *e)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    int c;
    char expect;
    int i;

    if (!code || strlen(code) != USCC_LEN) {
        return err_set(e, ERR_INVALID, USCC_FIELD,
                       "统一社会信用代码应为 18 位");
    }
    for (i = 0; i < 8; i++) {
        char ch = code[8 + i];
        int v;
        if (ch >= '0' && ch <= '9') {
            v = ch - '0';
        } else if (ch >= 'A' && ch <= 'Z') {
            v = ch - 'A' + 10;
        } else {
            return err_set(e, ERR_INVALID, USCC_FIELD,
                           "统一社会信用代码中的组织机构代码含有非法字符"
                           "（仅提示）");
        }
        sum += v * w[i];
    }
    c = 11 - sum % 11;
    expect = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    if (code[16] != expect) {
        return err_set(e, ERR_INVALID, USCC_FIELD,
                       "统一社会信用代码第 9–17 位的组织机构代码校验位应为 "
                       "%c，实际为 %c（仅提示，不影响使用）",
                       expect, code[16]);
    }
    return 0;
}
