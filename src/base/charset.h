/* charset.h - detect the encoding of uploaded text and convert it to UTF-8.
 *
 * Uploaded CSV files come as UTF-8 (with or without BOM) or as GBK/GB2312,
 * which GB18030 covers. Detection looks at a prefix (normally the first
 * CHARSET_DETECT_BYTES): a UTF-8 BOM, else valid UTF-8, else GB18030.
 * UTF-16 files (recognised by their BOM) are refused with a message telling
 * the user how to re-save the file. The output is always valid UTF-8 without
 * a BOM. */
#ifndef KC_BASE_CHARSET_H
#define KC_BASE_CHARSET_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define CHARSET_DETECT_BYTES ((size_t)64 * 1024)

enum {
    CHARSET_AUTO = 0, /* converter only: detect from the first 64 KiB */
    CHARSET_UTF8,     /* valid UTF-8 without BOM (includes plain ASCII) */
    CHARSET_UTF8_BOM, /* UTF-8 starting with EF BB BF */
    CHARSET_GB18030,  /* anything else: GB18030 / GBK / GB2312 */
    CHARSET_UTF16LE,  /* BOM FF FE (refused) */
    CHARSET_UTF16BE   /* BOM FE FF (refused) */
};

/* Guess the encoding of the n bytes at s (a prefix of the file). at_eof is
 * non-zero when s holds the whole file; otherwise a multi-byte UTF-8
 * sequence cut off at the end of the prefix does not count against UTF-8.
 * Returns one of the CHARSET_* kinds other than CHARSET_AUTO. */
int charset_detect(const char *s, size_t n, int at_eof);

/* Short English name of a kind ("UTF-8", "GB18030" ...), for logs. */
const char *charset_name(int kind);

typedef struct CharsetConv CharsetConv;

/* Create a streaming converter from kind (CHARSET_AUTO to detect from the
 * first CHARSET_DETECT_BYTES fed) to UTF-8. Refuses the UTF-16 kinds
 * (ERR_INVALID). On success *out is set; free it with charset_conv_free. */
int charset_conv_new(int kind, CharsetConv **out, Err *e);

/* Free a converter (NULL is fine). */
void charset_conv_free(CharsetConv *c);

/* Convert the next n bytes of input, appending UTF-8 to out. A character
 * split across two chunks is kept back and completed by the next call.
 * A leading BOM (U+FEFF) is dropped. Errors: ERR_INVALID for a byte
 * sequence that is not valid in the encoding (the message names the 1-based
 * byte position in the whole stream) or for UTF-16 found by CHARSET_AUTO,
 * ERR_TOOBIG when out reaches its cap. After an error the converter only
 * repeats that error. */
int charset_conv_feed(CharsetConv *c, const char *in, size_t n, Buf *out,
                      Err *e);

/* Signal the end of input: converts anything still held back (CHARSET_AUTO
 * input shorter than 64 KiB) and fails with ERR_INVALID when the input ends
 * inside a character. */
int charset_conv_finish(CharsetConv *c, Buf *out, Err *e);

/* The kind in use: the one given to charset_conv_new or, for CHARSET_AUTO,
 * the detected one once known (CHARSET_AUTO before that). */
int charset_conv_kind(const CharsetConv *c);

/* 0-based offset in the whole input of the byte that caused the last
 * ERR_INVALID (0 when there was none). Lets a caller turn it into a line. */
size_t charset_conv_bad_offset(const CharsetConv *c);

/* One-shot: detect the encoding of the n bytes at in, convert them to UTF-8
 * and append the result to out. *kind_out (may be NULL) receives the
 * detected kind. Errors as for charset_conv_feed / _finish. */
int charset_to_utf8(const char *in, size_t n, Buf *out, int *kind_out, Err *e);

#endif
