/* buf.h - the one growable byte buffer.
 *
 * A Buf is never NULL-data: b->data always points at a NUL-terminated string
 * (an empty static one until the first append). It doubles as it grows and
 * stops at a hard cap (max bytes of content). Once an append would pass the
 * cap or fails, the buffer's sticky error is set and later appends do
 * nothing, so a sequence of appends can be checked once at the end.
 *
 * All output escaping goes through buf_append_json_str / _html / _csv_field. */
#ifndef KC_BASE_BUF_H
#define KC_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

typedef struct Buf {
    char *data; /* NUL-terminated; never NULL */
    size_t len; /* bytes of content, excluding the NUL */
    size_t cap; /* allocated bytes (0 while data is the static "") */
    size_t max; /* hard cap on len */
    int err;    /* sticky: ERR_TOOBIG once the cap was hit */
} Buf;

/* Initialise an empty buffer whose content may not exceed max bytes
 * (0 = BUF_DEFAULT_MAX). Does not allocate. */
void buf_init(Buf *b, size_t max);

/* Free the storage; b is empty again (same cap) and may be reused. */
void buf_release(Buf *b);

/* Drop the content but keep the storage and clear the sticky error. */
void buf_reset(Buf *b);

/* Append n bytes / a C string / one byte / printf-formatted text.
 * Return 0, or ERR_TOOBIG when the cap is (or was earlier) exceeded. */
int buf_append(Buf *b, const void *p, size_t n);
int buf_append_str(Buf *b, const char *s);
int buf_append_char(Buf *b, char c);
int buf_appendf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vappendf(Buf *b, const char *fmt, va_list ap);

/* Append s (n bytes) as a JSON string literal with quotes. Invalid UTF-8
 * bytes are replaced by U+FFFD so the output is always valid JSON. */
int buf_append_json_str(Buf *b, const char *s, size_t n);

/* Append s (n bytes) with & < > " ' escaped for HTML text and attributes. */
int buf_append_html(Buf *b, const char *s, size_t n);

/* Append s (n bytes) as one CSV field (RFC 4180): quoted when it contains
 * a comma, quote, CR or LF; a leading = + - @ TAB or CR is neutralised with
 * a leading apostrophe so spreadsheets do not run it as a formula. A plain
 * decimal number such as "-12.5" is data and is written as it is. */
int buf_append_csv_field(Buf *b, const char *s, size_t n);

/* Hand the content to the caller (malloc'd, NUL-terminated; caller frees)
 * and leave b empty. *len_out may be NULL. */
char *buf_detach(Buf *b, size_t *len_out);

#endif
