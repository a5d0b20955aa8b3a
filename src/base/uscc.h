/* uscc.h - 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015).
 *
 * 18 characters from USCC_CHARSET: registration department (1), kind (1),
 * region code (6), organisation code (9, GB 11714) and a mod-31 check
 * character (weights 3^(i-1) mod 31 over the 31-character set). Nothing
 * here allocates. */
#ifndef KC_BASE_USCC_H
#define KC_BASE_USCC_H

#include "err.h"

#define USCC_LEN 18
#define USCC_CHARSET "0123456789ABCDEFGHJKLMNPQRTUWXY"
#define USCC_FIELD "uscc"

/* Normalise and validate a code: trim, drop spaces (also U+3000) and
 * hyphens, fold full-width to half-width, upper-case; then require exactly
 * 18 characters, each in USCC_CHARSET, and a correct check character.
 * On success out holds the 18 characters and a NUL. On failure returns
 * ERR_INVALID with field "uscc" and a message naming the length, the
 * 1-based position and character, or the expected check character; out is
 * then an empty string. Registration department and region are not
 * checked. */
int uscc_normalize(const char *in, char out[USCC_LEN + 1], Err *e);

/* The check character for the 17 characters at prefix (which must be
 * upper-case characters of USCC_CHARSET), or '\0' when one is not. */
char uscc_check_char(const char *prefix);

/* Advisory check of the embedded organisation code (positions 9-17,
 * GB 11714 mod-11) of a normalised code. Returns 0 when it is consistent,
 * else ERR_INVALID with a warning message in e. Callers report this as a
 * warning and do not reject the code: some historic codes do not comply. */
int uscc_check_orgcode(const char *code, Err *e);

#endif
