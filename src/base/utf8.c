/* utf8.c - strict UTF-8 decoding, validation and width folding. */
#include "utf8.h"

int utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c;
    uint32_t min;
    int len;
    int i;

    if (n == 0) {
        return 0;
    }
    c = p[0];
    if (c < 0x80) {
        len = 1;
        min = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if ((size_t)len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    if (cp) {
        *cp = c;
    }
    return len;
}

int utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        return 0;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | (cp >> 18));
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

int utf8_validate(const char *s, size_t n, size_t *bad_offset)
{
    size_t i = 0;

    while (i < n) {
        int len;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        len = utf8_decode(s + i, n - i, NULL);
        if (len == 0) {
            if (bad_offset) {
                *bad_offset = i;
            }
            return 0;
        }
        i += (size_t)len;
    }
    return 1;
}

size_t utf8_count_chars(const char *s, size_t n)
{
    size_t i = 0;
    size_t count = 0;

    while (i < n) {
        int len = utf8_decode(s + i, n - i, NULL);
        i += len ? (size_t)len : 1;
        count++;
    }
    return count;
}

size_t utf8_truncate(const char *s, size_t n, size_t max_bytes)
{
    size_t i = 0;

    if (n <= max_bytes) {
        return n;
    }
    while (i < max_bytes) {
        int len = utf8_decode(s + i, n - i, NULL);
        size_t step = len ? (size_t)len : 1;
        if (i + step > max_bytes) {
            break;
        }
        i += step;
    }
    return i;
}

size_t utf8_fold_width(const char *in, size_t n, char *out)
{
    size_t i = 0;
    size_t o = 0;

    while (i < n) {
        uint32_t cp;
        int len = utf8_decode(in + i, n - i, &cp);
        if (len == 3 && cp >= 0xFF01 && cp <= 0xFF5E) {
            out[o++] = (char)(cp - 0xFF01 + 0x21);
        } else if (len == 3 && cp == 0x3000) {
            out[o++] = ' ';
        } else {
            size_t step = len ? (size_t)len : 1;
            size_t k;
            for (k = 0; k < step; k++) {
                out[o++] = in[i + k];
            }
            i += step;
            continue;
        }
        i += (size_t)len;
    }
    out[o] = '\0';
    return o;
}
