/* q.c - exact rationals (see q.h). */
#include "rules/q.h"

static __int128 gcd128(__int128 a, __int128 b)
{
    if (a < 0) {
        a = -a;
    }
    if (b < 0) {
        b = -b;
    }
    while (b != 0) {
        __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static Q norm(__int128 n, __int128 d)
{
    Q r;
    __int128 g;

    if (d == 1) { /* an integer: already in lowest terms */
        r.n = n;
        r.d = 1;
        return r;
    }
    if (d < 0) {
        n = -n;
        d = -d;
    }
    g = gcd128(n, d);
    if (g > 1) {
        n /= g;
        d /= g;
    }
    if (n == 0) {
        d = 1;
    }
    r.n = n;
    r.d = d;
    return r;
}

Q q_int(int64_t v)
{
    Q r = {v, 1};
    return r;
}

Q q_frac(int64_t n, int64_t d)
{
    return norm(n, d);
}

int q_add(Q a, Q b, Q *out)
{
    __int128 x, y, n, d;
    if (a.d == 1 && b.d == 1) { /* integers */
        if (__builtin_add_overflow(a.n, b.n, &n)) {
            return 1;
        }
        out->n = n;
        out->d = 1;
        return 0;
    }
    if (__builtin_mul_overflow(a.n, b.d, &x) ||
        __builtin_mul_overflow(b.n, a.d, &y) ||
        __builtin_add_overflow(x, y, &n) ||
        __builtin_mul_overflow(a.d, b.d, &d)) {
        return 1;
    }
    *out = norm(n, d);
    return 0;
}

int q_sub(Q a, Q b, Q *out)
{
    Q nb = {-b.n, b.d};
    return q_add(a, nb, out);
}

int q_mul(Q a, Q b, Q *out)
{
    __int128 g1 = gcd128(a.n, b.d), g2 = gcd128(b.n, a.d), n, d;
    if (g1 == 0) {
        g1 = 1;
    }
    if (g2 == 0) {
        g2 = 1;
    }
    if (__builtin_mul_overflow(a.n / g1, b.n / g2, &n) ||
        __builtin_mul_overflow(a.d / g2, b.d / g1, &d)) {
        return 1;
    }
    *out = norm(n, d);
    return 0;
}

int q_div(Q a, Q b, Q *out)
{
    Q inv = {b.d, b.n};
    if (b.n == 0) {
        return 1;
    }
    if (inv.d < 0) {
        inv.n = -inv.n;
        inv.d = -inv.d;
    }
    return q_mul(a, inv, out);
}

__int128 q_floor(Q a)
{
    __int128 q;
    if (a.d == 1) {
        return a.n;
    }
    q = a.n / a.d;
    if (a.n % a.d != 0 && a.n < 0) {
        q--;
    }
    return q;
}

__int128 q_ceil(Q a)
{
    __int128 q;
    if (a.d == 1) {
        return a.n;
    }
    q = a.n / a.d;
    if (a.n % a.d != 0 && a.n > 0) {
        q++;
    }
    return q;
}

int q_is_zero(Q a)
{
    return a.n == 0;
}

/* Compare by continued fractions: equal integer parts, then compare the
 * reciprocals of the fractional parts the other way round. */
int q_cmp(Q a, Q b)
{
    if (a.d == 1 && b.d == 1) { /* integers */
        return (a.n > b.n) - (a.n < b.n);
    }
    for (;;) {
        __int128 fa = q_floor(a), fb = q_floor(b);
        __int128 ra, rb;
        Q na, nb;
        if (fa != fb) {
            return fa < fb ? -1 : 1;
        }
        ra = a.n - fa * a.d;
        rb = b.n - fb * b.d;
        if (ra == 0 || rb == 0) {
            if (ra == rb) {
                return 0;
            }
            return ra == 0 ? -1 : 1;
        }
        na.n = b.d;
        na.d = rb;
        nb.n = a.d;
        nb.d = ra;
        a = na;
        b = nb;
    }
}
