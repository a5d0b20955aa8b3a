/* err.h - error codes and the Err record every fallible function fills.
 *
 * A fallible function returns int (ERR_OK = 0, else an ERR_* code) and takes
 * `Err *e` as its last argument. On failure it fills e with the code, the
 * offending field (API field name, column, "row 12" ...) and a zh-CN message
 * that is safe to show to a user. e may be NULL when the caller does not care.
 * Internal details (SQL text, errno strings) go to the log, not into msg. */
#ifndef KC_BASE_ERR_H
#define KC_BASE_ERR_H

#include <stddef.h>

enum {
    ERR_OK = 0,
    ERR_INVALID,   /* input fails validation (HTTP 400) */
    ERR_NOTFOUND,  /* no such object, or not in the caller's scope (404) */
    ERR_CONFLICT,  /* unique key or state conflict (409) */
    ERR_TOOBIG,    /* a cap was exceeded (413) */
    ERR_AUTH,      /* not authenticated (401) */
    ERR_FORBIDDEN, /* authenticated but not allowed (403) */
    ERR_THROTTLED, /* too many attempts (429) */
    ERR_DB,        /* database failure (500) */
    ERR_IO,        /* file or network failure (500) */
    ERR_INTERNAL,  /* a bug (500) */
    ERR_BUSY,      /* database busy / try again (503) */
    ERR_CANCELLED, /* long work stopped on request (409) */
    ERR__COUNT
};

#define ERR_FIELD_MAX 64
#define ERR_MSG_MAX 512

typedef struct Err {
    int code;
    char field[ERR_FIELD_MAX];
    char msg[ERR_MSG_MAX];
} Err;

/* Reset e to ERR_OK with empty field and message. */
void err_clear(Err *e);

/* Fill e (if not NULL) and return code. field may be NULL. The message is a
 * printf format; the result is truncated to ERR_MSG_MAX on a UTF-8 boundary. */
int err_set(Err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Stable machine name of a code for the API ("invalid", "not_found" ...). */
const char *err_code_name(int code);

/* HTTP status that corresponds to a code. */
int err_http_status(int code);

#endif
