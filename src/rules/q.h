/* q.h - exact rationals for the rule engine.
 *
 * A Q is n/d with __int128 parts and d > 0, kept in lowest terms. The
 * arithmetic functions return 0, or 1 when the result does not fit (the
 * caller turns that into an unknown value); q_cmp never overflows. */
#ifndef KC_RULES_Q_H
#define KC_RULES_Q_H

#include <stdint.h>

#include "rules/ast.h"

Q q_int(int64_t v);
Q q_frac(int64_t n, int64_t d);
int q_add(Q a, Q b, Q *out);
int q_sub(Q a, Q b, Q *out);
int q_mul(Q a, Q b, Q *out);
/* b must not be zero. */
int q_div(Q a, Q b, Q *out);
/* -1, 0 or 1 as a < b, a == b, a > b; exact for any values. */
int q_cmp(Q a, Q b);
int q_is_zero(Q a);
/* Smallest integer >= a / largest integer <= a. */
__int128 q_ceil(Q a);
__int128 q_floor(Q a);

#endif
