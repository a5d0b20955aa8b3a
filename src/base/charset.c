/* charset.c - encoding detection and streaming conversion to UTF-8. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "utf8.h"

#define CHARSET_FIELD "encoding"
#define CHARSET_CARRY_MAX 8

struct CharsetConv {
    int kind;          /* CHARSET_AUTO until detected */
    iconv_t cd;        /* (iconv_t)-1 unless kind == CHARSET_GB18030 */
    size_t offset;     /* input bytes consumed so far (whole stream) */
    int at_start;      /* no output produced yet: drop a leading U+FEFF */
    int err;           /* sticky error code */
    Err saved;         /* the sticky error, repeated on later calls */
    size_t bad_offset; /* 0-based offset of the offending byte */
    char carry[CHARSET_CARRY_MAX]; /* start of a character cut off by a chunk */
    size_t carry_len;
    Buf pending; /* CHARSET_AUTO: input held back until detection */
};

/* Return 1 when the n bytes at p (n < full length) are a correct beginning
 * of a UTF-8 sequence that more bytes could complete. */
static int charset_utf8_is_prefix(const unsigned char *p, size_t n)
{
    size_t need;
    size_t i;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;

    if (n == 0) {
        return 0;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        need = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 3;
        if (p[0] == 0xE0) {
            lo = 0xA0;
        } else if (p[0] == 0xED) {
            hi = 0x9F;
        }
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        need = 4;
        if (p[0] == 0xF0) {
            lo = 0x90;
        } else if (p[0] == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (n >= need) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (i == 1 ? (p[i] < lo || p[i] > hi) : ((p[i] & 0xC0) != 0x80)) {
            return 0;
        }
    }
    return 1;
}

int charset_detect(const char *s, size_t n, int at_eof)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad;

    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        return CHARSET_UTF8_BOM;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        return CHARSET_UTF16LE;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        return CHARSET_UTF16BE;
    }
    if (utf8_validate(s, n, &bad)) {
        return CHARSET_UTF8;
    }
    if (!at_eof && n - bad < 4 && charset_utf8_is_prefix(p + bad, n - bad)) {
        return CHARSET_UTF8;
    }
    return CHARSET_GB18030;
}

const char *charset_name(int kind)
{
    switch (kind) {
    case CHARSET_AUTO:
        return "auto";
    case CHARSET_UTF8:
        return "UTF-8";
    case CHARSET_UTF8_BOM:
        return "UTF-8 (BOM)";
    case CHARSET_GB18030:
        return "GB18030";
    case CHARSET_UTF16LE:
        return "UTF-16LE";
    case CHARSET_UTF16BE:
        return "UTF-16BE";
    default:
        return "unknown";
    }
}

static int charset_refuse_utf16(Err *e)
{
    return err_set(e, ERR_INVALID, CHARSET_FIELD,
                   "文件是 UTF-16 编码，无法读取；请另存为 UTF-8 或 GBK "
                   "编码的 CSV");
}

/* Set up c for a known kind (not AUTO). */
static int charset_conv_setup(CharsetConv *c, int kind, Err *e)
{
    if (kind == CHARSET_UTF16LE || kind == CHARSET_UTF16BE) {
        return charset_refuse_utf16(e);
    }
    if (kind != CHARSET_UTF8 && kind != CHARSET_UTF8_BOM &&
        kind != CHARSET_GB18030) {
        return err_set(e, ERR_INTERNAL, CHARSET_FIELD, "未知的编码类型");
    }
    if (kind == CHARSET_GB18030) {
        c->cd = iconv_open("UTF-8", "GB18030");
        if (c->cd == (iconv_t)-1) {
            log_error("charset: iconv_open GB18030: %s", strerror(errno));
            return err_set(e, ERR_INTERNAL, CHARSET_FIELD,
                           "系统不支持 GB18030 编码转换");
        }
    }
    c->kind = kind;
    return 0;
}

int charset_conv_new(int kind, CharsetConv **out, Err *e)
{
    CharsetConv *c = xcalloc(1, sizeof *c);
    int rc = 0;

    c->cd = (iconv_t)-1;
    c->at_start = 1;
    buf_init(&c->pending, 0);
    if (kind != CHARSET_AUTO) {
        rc = charset_conv_setup(c, kind, e);
        if (rc) {
            charset_conv_free(c);
            c = NULL;
        }
    }
    *out = c;
    return rc;
}

void charset_conv_free(CharsetConv *c)
{
    if (!c) {
        return;
    }
    if (c->cd != (iconv_t)-1) {
        iconv_close(c->cd);
    }
    buf_release(&c->pending);
    free(c);
}

int charset_conv_kind(const CharsetConv *c)
{
    return c->kind;
}

size_t charset_conv_bad_offset(const CharsetConv *c)
{
    return c->bad_offset;
}

/* Record a sticky error in c and copy it to e. */
static int charset_fail(CharsetConv *c, Err *e, int code)
{
    c->err = code;
    if (e) {
        *e = c->saved;
    }
    return code;
}

static int charset_fail_bad(CharsetConv *c, Err *e, size_t off)
{
    c->bad_offset = off;
    if (c->kind == CHARSET_GB18030) {
        err_set(&c->saved, ERR_INVALID, CHARSET_FIELD,
                "第 %zu 字节处的编码无法识别（既不是 UTF-8 也不是 GB18030）",
                off + 1);
    } else {
        err_set(
            &c->saved, ERR_INVALID, CHARSET_FIELD,
            "第 %zu 字节处的编码无法识别（文件按 UTF-8 读取，此处不是有效的 "
            "UTF-8；文件中可能混有其他编码）",
            off + 1);
    }
    return charset_fail(c, e, ERR_INVALID);
}

static int charset_fail_truncated(CharsetConv *c, Err *e, size_t off)
{
    c->bad_offset = off;
    err_set(&c->saved, ERR_INVALID, CHARSET_FIELD,
            "文件在第 %zu 字节处以不完整的字符结束", off + 1);
    return charset_fail(c, e, ERR_INVALID);
}

static int charset_fail_toobig(CharsetConv *c, Err *e)
{
    err_set(&c->saved, ERR_TOOBIG, CHARSET_FIELD, "转换后的内容超过大小上限");
    return charset_fail(c, e, ERR_TOOBIG);
}

/* Append converted bytes, dropping a U+FEFF at the very start. */
static int charset_emit(CharsetConv *c, const char *p, size_t n, Buf *out)
{
    if (n == 0) {
        return 0;
    }
    if (c->at_start) {
        c->at_start = 0;
        if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
    }
    return buf_append(out, p, n);
}

/* UTF-8 to UTF-8: validate and copy. */
static int charset_run_utf8(CharsetConv *c, const char *p, size_t n, int final,
                            size_t *used, Buf *out, Err *e)
{
    size_t i = 0;

    while (i < n) {
        size_t start = i;
        int len = 0;
        while (i < n && (unsigned char)p[i] < 0x80) {
            i++;
        }
        while (i < n && (unsigned char)p[i] >= 0x80 &&
               (len = utf8_decode(p + i, n - i, NULL)) > 0) {
            i += (size_t)len;
        }
        if (charset_emit(c, p + start, i - start, out)) {
            *used = i;
            return charset_fail_toobig(c, e);
        }
        if (i < n && (unsigned char)p[i] >= 0x80 && len == 0) {
            if (charset_utf8_is_prefix((const unsigned char *)p + i, n - i)) {
                if (final) {
                    *used = i;
                    return charset_fail_truncated(c, e, c->offset + i);
                }
                break;
            }
            *used = i;
            return charset_fail_bad(c, e, c->offset + i);
        }
    }
    *used = i;
    return 0;
}

/* GB18030 to UTF-8 through iconv. */
static int charset_run_iconv(CharsetConv *c, const char *p, size_t n, int final,
                             size_t *used, Buf *out, Err *e)
{
    char tmp[4096];
    char *inp = (char *)p;
    size_t inleft = n;

    while (inleft > 0) {
        char *outp = tmp;
        size_t outleft = sizeof tmp;
        size_t r = iconv(c->cd, &inp, &inleft, &outp, &outleft);
        int saved_errno = errno;
        if (charset_emit(c, tmp, sizeof tmp - outleft, out)) {
            *used = n - inleft;
            return charset_fail_toobig(c, e);
        }
        if (r != (size_t)-1) {
            break;
        }
        if (saved_errno == E2BIG) {
            continue;
        }
        *used = n - inleft;
        if (saved_errno == EINVAL) {
            if (final) {
                return charset_fail_truncated(c, e, c->offset + *used);
            }
            return 0;
        }
        return charset_fail_bad(c, e, c->offset + *used);
    }
    *used = n - inleft;
    return 0;
}

static int charset_run(CharsetConv *c, const char *p, size_t n, int final,
                       size_t *used, Buf *out, Err *e)
{
    if (c->kind == CHARSET_GB18030) {
        return charset_run_iconv(c, p, n, final, used, out, e);
    }
    return charset_run_utf8(c, p, n, final, used, out, e);
}

/* Convert with a known kind, completing a carried partial character. */
static int charset_convert(CharsetConv *c, const char *in, size_t n, int final,
                           Buf *out, Err *e)
{
    size_t used = 0;
    int rc;

    if (c->carry_len > 0) {
        char tmp[CHARSET_CARRY_MAX * 2];
        size_t take = n < CHARSET_CARRY_MAX ? n : CHARSET_CARRY_MAX;
        size_t tlen = c->carry_len + take;
        size_t old = c->carry_len;
        int tfinal = final && take == n;

        memcpy(tmp, c->carry, old);
        memcpy(tmp + old, in, take);
        rc = charset_run(c, tmp, tlen, tfinal, &used, out, e);
        if (rc) {
            return rc;
        }
        if (used < old) {
            if (take != n || tlen > CHARSET_CARRY_MAX) {
                /* cannot happen: 8 bytes always complete a character */
                return charset_fail_bad(c, e, c->offset + used);
            }
            memmove(c->carry, tmp + used, tlen - used);
            c->carry_len = tlen - used;
            c->offset += used;
            return 0;
        }
        c->carry_len = 0;
        c->offset += old;
        in += used - old;
        n -= used - old;
        c->offset += used - old;
    }
    rc = charset_run(c, in, n, final, &used, out, e);
    if (rc) {
        return rc;
    }
    if (n - used > CHARSET_CARRY_MAX) {
        return charset_fail_bad(c, e, c->offset + used);
    }
    memcpy(c->carry, in + used, n - used);
    c->carry_len = n - used;
    c->offset += used;
    return 0;
}

/* CHARSET_AUTO: detect from what is pending and convert it. */
static int charset_resolve(CharsetConv *c, int at_eof, Buf *out, Err *e)
{
    size_t n = c->pending.len;
    int kind;
    int rc;

    kind = charset_detect(c->pending.data,
                          n < CHARSET_DETECT_BYTES ? n : CHARSET_DETECT_BYTES,
                          at_eof && n <= CHARSET_DETECT_BYTES);
    rc = charset_conv_setup(c, kind, &c->saved);
    if (rc) {
        buf_release(&c->pending);
        return charset_fail(c, e, rc);
    }
    {
        Buf p = c->pending;
        buf_init(&c->pending, 0);
        rc = charset_convert(c, p.data, p.len, at_eof, out, e);
        buf_release(&p);
    }
    return rc;
}

int charset_conv_feed(CharsetConv *c, const char *in, size_t n, Buf *out,
                      Err *e)
{
    if (c->err) {
        return charset_fail(c, e, c->err);
    }
    if (c->kind == CHARSET_AUTO) {
        if (buf_append(&c->pending, in, n)) {
            return charset_fail_toobig(c, e);
        }
        if (c->pending.len < CHARSET_DETECT_BYTES) {
            return 0;
        }
        return charset_resolve(c, 0, out, e);
    }
    return charset_convert(c, in, n, 0, out, e);
}

int charset_conv_finish(CharsetConv *c, Buf *out, Err *e)
{
    if (c->err) {
        return charset_fail(c, e, c->err);
    }
    if (c->kind == CHARSET_AUTO) {
        return charset_resolve(c, 1, out, e);
    }
    return charset_convert(c, "", 0, 1, out, e);
}

int charset_to_utf8(const char *in, size_t n, Buf *out, int *kind_out, Err *e)
{
    CharsetConv *c = NULL;
    int kind =
        charset_detect(in, n < CHARSET_DETECT_BYTES ? n : CHARSET_DETECT_BYTES,
                       n <= CHARSET_DETECT_BYTES);
    int rc;

    if (kind_out) {
        *kind_out = kind;
    }
    rc = charset_conv_new(kind, &c, e);
    if (rc) {
        goto out;
    }
    rc = charset_convert(c, in, n, 1, out, e);
out:
    charset_conv_free(c);
    return rc;
}
