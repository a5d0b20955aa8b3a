/* utf8.h - strict UTF-8 helpers.
 *
 * "Strict" means RFC 3629: no overlong forms, no surrogates (U+D800-DFFF),
 * nothing above U+10FFFF. None of these functions allocate. */
#ifndef KC_BASE_UTF8_H
#define KC_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s (n bytes available). Returns the sequence
 * length (1-4) and stores the code point in *cp (cp may be NULL), or 0 when
 * the bytes at s do not start a valid sequence (or n == 0, or the sequence
 * is cut off by n). */
int utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Encode cp into out (at least 4 bytes). Returns the length written (1-4),
 * or 0 when cp is a surrogate or above U+10FFFF. */
int utf8_encode(uint32_t cp, char *out);

/* Return 1 when the n bytes at s are valid UTF-8, else 0 and (if bad_offset
 * is not NULL) the 0-based offset of the first byte that starts an invalid
 * or truncated sequence. */
int utf8_validate(const char *s, size_t n, size_t *bad_offset);

/* Number of characters (code points) in the n bytes at s. Each byte that is
 * not part of a valid sequence counts as one character. */
size_t utf8_count_chars(const char *s, size_t n);

/* Length of the longest prefix of s (n bytes) that is at most max_bytes long
 * and does not end inside a valid multi-byte sequence. Truncate with
 * s[utf8_truncate(s, n, max)] = '\0' when s is writable. */
size_t utf8_truncate(const char *s, size_t n, size_t max_bytes);

/* Copy n bytes from in to out, folding full-width forms to ASCII:
 * U+FF01..U+FF5E -> 0x21..0x7E and U+3000 (ideographic space) -> ' '.
 * Everything else, including invalid bytes, is copied unchanged. out must
 * have room for n + 1 bytes (folding never grows the text); the result is
 * NUL-terminated and its length is returned. */
size_t utf8_fold_width(const char *in, size_t n, char *out);

#endif
