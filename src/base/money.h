/* money.h - exact decimal money parsing and formatting.
 *
 * Money is stored as int64 元 (DESIGN.md §4). Users and templates write
 * 万元 with up to four decimals (0.0001 万元 = 1 元). Parsing is exact
 * decimal arithmetic; floating point is never involved. */
#ifndef KC_BASE_MONEY_H
#define KC_BASE_MONEY_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

/* Longest input accepted (bytes, before full-width folding). */
#define MONEY_INPUT_MAX 128

/* Parse an amount in 万元 into whole 元: "1234.5678" -> 12345678,
 * "0.0001" -> 1, "5000" -> 50000000. Accepts surrounding spaces
 * (including U+3000), a sign ('-' only when allow_negative; "-0" is 0),
 * thousands separators in the integer part ("1,234.5"; groups of three),
 * ".5" and "5.", full-width digits, '．', '，', '－' and '＋'. Rejects empty
 * input, more than four decimals, exponents and other garbage, and values
 * outside int64. On error returns ERR_INVALID and fills e naming field. */
int money_parse_wan(const char *s, int64_t *yuan, int allow_negative,
                    const char *field, Err *e);

/* Parse an amount already in 元 ("12345", "12,345.00"). The same syntax
 * as money_parse_wan but at most two decimals, and they must be zero:
 * amounts are whole 元, so "12.50" is rejected with a message rather than
 * rounded. */
int money_parse_yuan(const char *s, int64_t *yuan, int allow_negative,
                     const char *field, Err *e);

/* Append yuan as an exact 万元 decimal without trailing zeros:
 * 12345678 -> "1234.5678", 50000000 -> "5000", -1 -> "-0.0001".
 * Returns 0 or the Buf's sticky error. */
int money_format_wan(int64_t yuan, Buf *out);

#endif
