/* err.c - the Err record. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(Err *e)
{
    if (e) {
        e->code = ERR_OK;
        e->field[0] = '\0';
        e->msg[0] = '\0';
    }
}

/* Cut s (NUL-terminated, at most cap-1 bytes) back so that it does not end in
 * the middle of a UTF-8 sequence. */
static void err_trim_utf8(char *s)
{
    size_t n = strlen(s);
    size_t i = n;
    size_t need;
    unsigned char c;

    /* find the start of the last sequence */
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
    }
    if (i == 0) {
        return;
    }
    c = (unsigned char)s[i - 1];
    if (c < 0x80) {
        return;
    }
    need = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
    if (n - (i - 1) < need) {
        s[i - 1] = '\0';
    }
}

int err_set(Err *e, int code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!e) {
        return code;
    }
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    err_trim_utf8(e->field);
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    err_trim_utf8(e->msg);
    return code;
}

const char *err_code_name(int code)
{
    static const char *const names[ERR__COUNT] = {
        [ERR_OK] = "ok",
        [ERR_INVALID] = "invalid",
        [ERR_NOTFOUND] = "not_found",
        [ERR_CONFLICT] = "conflict",
        [ERR_TOOBIG] = "too_big",
        [ERR_AUTH] = "unauthenticated",
        [ERR_FORBIDDEN] = "forbidden",
        [ERR_THROTTLED] = "throttled",
        [ERR_DB] = "internal",
        [ERR_IO] = "internal",
        [ERR_INTERNAL] = "internal",
        [ERR_BUSY] = "busy",
        [ERR_CANCELLED] = "cancelled",
    };
    if (code < 0 || code >= ERR__COUNT) {
        return "internal";
    }
    return names[code];
}

int err_http_status(int code)
{
    switch (code) {
    case ERR_OK:
        return 200;
    case ERR_INVALID:
        return 400;
    case ERR_NOTFOUND:
        return 404;
    case ERR_CONFLICT:
    case ERR_CANCELLED:
        return 409;
    case ERR_TOOBIG:
        return 413;
    case ERR_AUTH:
        return 401;
    case ERR_FORBIDDEN:
        return 403;
    case ERR_THROTTLED:
        return 429;
    case ERR_BUSY:
        return 503;
    default:
        return 500;
    }
}
