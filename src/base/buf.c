/* buf.c - growable byte buffer with a hard cap and a sticky error. */
#include "buf.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "mem.h"

#include <stdlib.h>

static char buf_empty[1] = "";

void buf_init(Buf *b, size_t max)
{
    b->data = buf_empty;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : BUF_DEFAULT_MAX;
    b->err = 0;
}

void buf_release(Buf *b)
{
    size_t max = b->max;

    if (b->cap) {
        free(b->data);
    }
    buf_init(b, max);
}

void buf_reset(Buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->cap) {
        b->data[0] = '\0';
    }
}

/* Make room for `extra` more bytes of content plus the NUL. */
static int buf_grow(Buf *b, size_t extra)
{
    size_t need;
    size_t ncap;

    if (b->err) {
        return b->err;
    }
    if (extra > b->max - b->len) {
        b->err = ERR_TOOBIG;
        return b->err;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    if (ncap > b->max + 1) {
        ncap = b->max + 1;
    }
    if (b->cap) {
        b->data = xrealloc(b->data, ncap);
    } else {
        b->data = xmalloc(ncap);
    }
    b->cap = ncap;
    return 0;
}

int buf_append(Buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n)) {
        return b->err;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_append_str(Buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_append_char(Buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_vappendf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    if (b->err) {
        return b->err;
    }
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->err = ERR_INTERNAL;
        return b->err;
    }
    if (buf_grow(b, (size_t)n)) {
        return b->err;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_appendf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* Length of the valid UTF-8 sequence starting at s[0] (at most n bytes
 * available), or 0 when it is not valid. */
static size_t buf_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    size_t i;

    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

int buf_append_json_str(Buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    size_t run = 0;

    buf_append_char(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        const char *esc = NULL;
        char tmp[8];
        size_t k;

        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '<': /* keep "</script>" harmless when JSON lands in HTML */
            esc = "\\u003c";
            break;
        default:
            if (c < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                esc = tmp;
            }
            break;
        }
        if (esc) {
            buf_append(b, p + i - run, run);
            run = 0;
            buf_append_str(b, esc);
            i++;
            continue;
        }
        k = buf_utf8_seq(p + i, n - i);
        if (k == 0) {
            buf_append(b, p + i - run, run);
            run = 0;
            buf_append_str(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        run += k;
        i += k;
    }
    buf_append(b, p + i - run, run);
    return buf_append_char(b, '"');
}

int buf_append_html(Buf *b, const char *s, size_t n)
{
    size_t i;
    size_t start = 0;

    for (i = 0; i < n; i++) {
        const char *esc;

        switch (s[i]) {
        case '&':
            esc = "&amp;";
            break;
        case '<':
            esc = "&lt;";
            break;
        case '>':
            esc = "&gt;";
            break;
        case '"':
            esc = "&quot;";
            break;
        case '\'':
            esc = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, s + start, i - start);
        buf_append_str(b, esc);
        start = i + 1;
    }
    return buf_append(b, s + start, n - start);
}

/* Is s (n bytes) a plain decimal number such as "-12" or "-0.5"? Those are
 * data, not formulas, and are written as they are. */
static int buf_is_plain_number(const char *s, size_t n)
{
    size_t i = 0;
    size_t digits = 0;
    int dot = 0;

    if (i < n && s[i] == '-') {
        i++;
    }
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
        } else if (s[i] == '.' && !dot && digits > 0) {
            dot = 1;
        } else {
            return 0;
        }
    }
    return digits > 0 && s[n - 1] != '.';
}

int buf_append_csv_field(Buf *b, const char *s, size_t n)
{
    int quote = 0;
    int neutral = 0;
    size_t i;
    size_t start = 0;

    if (n > 0 &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
         s[0] == '\t' || s[0] == '\r') &&
        !buf_is_plain_number(s, n)) {
        neutral = 1;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') {
            quote = 1;
            break;
        }
    }
    if (!quote) {
        if (neutral) {
            buf_append_char(b, '\'');
        }
        return buf_append(b, s, n);
    }
    buf_append_char(b, '"');
    if (neutral) {
        buf_append_char(b, '\'');
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '"') {
            buf_append(b, s + start, i + 1 - start);
            buf_append_char(b, '"');
            start = i + 1;
        }
    }
    buf_append(b, s + start, n - start);
    return buf_append_char(b, '"');
}

char *buf_detach(Buf *b, size_t *len_out)
{
    char *p;

    if (len_out) {
        *len_out = b->len;
    }
    if (b->cap) {
        p = b->data;
    } else {
        p = xstrdup("");
    }
    buf_init(b, b->max);
    return p;
}
