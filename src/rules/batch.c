/* batch.c - columnar evaluation of a rule set (see batch.h).
 *
 * The compiled tree of the RuleSet is walked once per block of BLK rows:
 * every node yields an array of Val (one per row) computed row by row
 * with the semantics of eval.c, so the per-row cost is the arithmetic
 * alone (no tree walk per row, no missing-field sets, no rows, no
 * hashing). Control flow that eval.c takes per evaluation but that does
 * not depend on the data (item order, group members, cycles through a
 * group, year contexts of derived fields) is taken once per block.
 *
 * Exactness: values are the same exact rationals. Shortcuts keep them
 * cheap and do not change any result: integer operands take a direct
 * __int128 path with the same overflow checks as q.c; the quotient of two
 * 64-bit integers, and growth() of integers below 2^40 (one denominator,
 * where no q.c step can overflow), are kept unreduced (sign in the
 * numerator) until they meet more arithmetic, where they are reduced
 * first. Comparisons (cross-multiplied when the products fit, else
 * q_cmp), floor and ceil do not depend on the representation, and every
 * q.c operation sees the reduced operands eval.c would give it, so
 * overflow (-> unknown) happens exactly when it does in rule_eval(). */
#include "rules/batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "rules/batch_int.h"
#include "rules/eval.h"
#include "rules/q.h"
#include "rules/uval.h"

#define BATCH_MAX_THREADS 16
#define BATCH_MAX_TEMPS 4096
/* Stack of a worker thread, set rather than inherited from ulimit -s: the
 * walk of the tree recurses at most RULES_MAX_HEIGHT deep (ast.h) */
#define BATCH_THREAD_STACK ((size_t)8 * 1024 * 1024)

typedef struct BCtx {
    const BatchProg *p;
    const RuleSet *rs;
    const BatchInput *in;
    size_t base; /* first row of the block */
    int m;       /* rows in the block */
    int yctx;
    int depth;
    Val *ivals; /* n_items * BLK */
    uint8_t *state;
    Val *temps[BATCH_MAX_TEMPS];
    int top;
    int overflow; /* temps exhausted: whole block unknown */
    int ey[BLK];  /* year of establishment per row (0 = missing) */
    int ey_ready;
} BCtx;

/* ---- exact rationals with fast paths ------------------------------------ */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    int s;
    if (a == 0) {
        return b;
    }
    if (b == 0) {
        return a;
    }
    s = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << s;
}

/* Lowest terms of a value that may be unreduced (d > 0 always). */
static Q bq_norm(Q a)
{
    if (a.d == 1) {
        return a;
    }
    if (fits64(a.n) && a.n != INT64_MIN && fits64(a.d)) {
        uint64_t un = (uint64_t)(a.n < 0 ? -(int64_t)a.n : (int64_t)a.n);
        uint64_t g = gcd64(un, (uint64_t)a.d);
        if (a.n == 0) {
            a.d = 1;
            return a;
        }
        if (g > 1) {
            a.n /= (__int128)g;
            a.d /= (__int128)g;
        }
        return a;
    }
    {
        /* wider (growth's one-denominator form): reduce with q.c, which
         * cannot overflow adding zero */
        Q r;
        if (q_add(a, q_int(0), &r) == 0) {
            return r;
        }
        return a;
    }
}

/* Significant bits of |x| (x > INT128 minimum). */
static int bits128(__int128 x)
{
    unsigned __int128 u =
        x < 0 ? (unsigned __int128)(-x) : (unsigned __int128)x;
    uint64_t hi = (uint64_t)(u >> 64), lo = (uint64_t)u;
    if (hi) {
        return 128 - __builtin_clzll(hi);
    }
    return lo ? 64 - __builtin_clzll(lo) : 0;
}

static int bq_cmp_slow(Q a, Q b)
{
    if (fits64(a.n) && fits64(a.d) && fits64(b.n) && fits64(b.d)) {
        __int128 x = a.n * b.d, y = b.n * a.d;
        return (x > y) - (x < y);
    }
    if (bits128(a.n) + bits128(b.d) <= 126 &&
        bits128(b.n) + bits128(a.d) <= 126) {
        /* both cross products fit: exact */
        __int128 x = a.n * b.d, y = b.n * a.d;
        return (x > y) - (x < y);
    }
    return q_cmp(a, b);
}

static inline __attribute__((always_inline)) int bq_cmp(Q a, Q b)
{
    if (a.d == 1 && b.d == 1) {
        return (a.n > b.n) - (a.n < b.n);
    }
    return bq_cmp_slow(a, b);
}

static int bq_add(Q a, Q b, Q *out)
{
    if (a.d == 1 && b.d == 1) {
        out->d = 1;
        return __builtin_add_overflow(a.n, b.n, &out->n);
    }
    return q_add(bq_norm(a), bq_norm(b), out);
}

static int bq_sub(Q a, Q b, Q *out)
{
    if (a.d == 1 && b.d == 1) {
        out->d = 1;
        return __builtin_sub_overflow(a.n, b.n, &out->n);
    }
    return q_sub(bq_norm(a), bq_norm(b), out);
}

static int bq_mul(Q a, Q b, Q *out)
{
    if (a.d == 1 && b.d == 1) {
        out->d = 1;
        return __builtin_mul_overflow(a.n, b.n, &out->n);
    }
    return q_mul(bq_norm(a), bq_norm(b), out);
}

/* a / b; the quotient of two 64-bit integers stays unreduced. */
static int bq_div(Q a, Q b, Q *out)
{
    if (a.d == 1 && b.d == 1 && b.n != 0 && fits64(a.n) && fits64(b.n) &&
        a.n != INT64_MIN && b.n != INT64_MIN) {
        if (a.n == 0) {
            out->n = 0;
            out->d = 1;
        } else if (b.n < 0) {
            out->n = -a.n;
            out->d = -b.n;
        } else {
            out->n = a.n;
            out->d = b.n;
        }
        return 0;
    }
    return q_div(bq_norm(a), bq_norm(b), out);
}

static Q bqmin(Q a, Q b)
{
    return bq_cmp(a, b) <= 0 ? a : b;
}

static Q bqmax(Q a, Q b)
{
    return bq_cmp(a, b) >= 0 ? a : b;
}

/* ---- values (as in eval.c) -------------------------------------------- */

static Val v_unknown(void)
{
    Val v;
    memset(&v, 0, sizeof v);
    v.tv = TV_U;
    v.lo.d = v.hi.d = 1;
    return v;
}

static Val v_num(Q q)
{
    Val v;
    v.tv = TV_OK;
    v.u = 0;
    v.lo = v.hi = q;
    return v;
}

static Val v_int(int64_t x)
{
    Val v;
    v.tv = TV_OK;
    v.u = 0;
    v.lo.n = v.hi.n = x;
    v.lo.d = v.hi.d = 1;
    return v;
}

static int tv_join(int a, int b)
{
    if (a == TV_U || b == TV_U) {
        return TV_U;
    }
    if (a == TV_M || b == TV_M) {
        return TV_M;
    }
    if (a == TV_E || b == TV_E) {
        return TV_E;
    }
    return TV_OK;
}

/* v with its bounds reduced, for the shared code of uval.h */
static Val nv(const Val *v)
{
    Val r = *v;
    r.lo = bq_norm(v->lo);
    r.hi = bq_norm(v->hi);
    return r;
}

static Val arith(int kind, const Val *a, const Val *b)
{
    Val r;
    int tv = tv_join(a->tv, b->tv);
    if (kind == ND_DIV && b->tv != TV_U && b->lo.n <= 0 && b->hi.n >= 0) {
        return uv_unknown(VU_NA); /* the divisor is (or may be) zero */
    }
    if (tv == TV_U) {
        Val x = nv(a), y = nv(b);
        return kind == ND_ADD || kind == ND_SUB
                   ? uv_arith(kind, &x, &y)
                   : uv_unknown(uv_na(a) || uv_na(b) ? VU_NA : 0);
    }
    r.tv = tv;
    r.u = 0;
    if (kind == ND_ADD) {
        if (bq_add(a->lo, b->lo, &r.lo) || bq_add(a->hi, b->hi, &r.hi)) {
            return v_unknown();
        }
        return r;
    }
    if (kind == ND_SUB) {
        if (bq_sub(a->lo, b->hi, &r.lo) || bq_sub(a->hi, b->lo, &r.hi)) {
            return v_unknown();
        }
        return r;
    }
    if (a->lo.n == a->hi.n && a->lo.d == a->hi.d && b->lo.n == b->hi.n &&
        b->lo.d == b->hi.d) {
        /* point values: the four corners are one product */
        int bad = kind == ND_MUL ? bq_mul(a->lo, b->lo, &r.lo)
                                 : bq_div(a->lo, b->lo, &r.lo);
        if (bad) {
            return v_unknown();
        }
        r.hi = r.lo;
        return r;
    }
    {
        Q xs[4], as[2] = {a->lo, a->hi}, bs[2] = {b->lo, b->hi};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                int bad = kind == ND_MUL ? bq_mul(as[i], bs[j], &xs[i * 2 + j])
                                         : bq_div(as[i], bs[j], &xs[i * 2 + j]);
                if (bad) {
                    return v_unknown();
                }
            }
        }
        r.lo = r.hi = xs[0];
        for (int i = 1; i < 4; i++) {
            r.lo = bqmin(r.lo, xs[i]);
            r.hi = bqmax(r.hi, xs[i]);
        }
    }
    return r;
}

static Val compare(int op, const Val *a, const Val *b)
{
    int all, none;
    int tv = tv_join(a->tv, b->tv);
    if (tv == TV_U) {
        Val x = nv(a), y = nv(b);
        return uv_compare(op, &x, &y);
    }
    if (tv == TV_M) {
        Val r = v_unknown();
        r.tv = tv;
        return r;
    }
    switch (op) {
    case CMP_GE:
        all = bq_cmp(a->lo, b->hi) >= 0;
        none = bq_cmp(a->hi, b->lo) < 0;
        break;
    case CMP_GT:
        all = bq_cmp(a->lo, b->hi) > 0;
        none = bq_cmp(a->hi, b->lo) <= 0;
        break;
    case CMP_LE:
        all = bq_cmp(a->hi, b->lo) <= 0;
        none = bq_cmp(a->lo, b->hi) > 0;
        break;
    case CMP_LT:
        all = bq_cmp(a->hi, b->lo) < 0;
        none = bq_cmp(a->lo, b->hi) >= 0;
        break;
    case CMP_EQ:
        all = bq_cmp(a->lo, a->hi) == 0 && bq_cmp(b->lo, b->hi) == 0 &&
              bq_cmp(a->lo, b->lo) == 0;
        none = bq_cmp(a->hi, b->lo) < 0 || bq_cmp(a->lo, b->hi) > 0;
        break;
    default: /* CMP_NE */
        none = bq_cmp(a->lo, a->hi) == 0 && bq_cmp(b->lo, b->hi) == 0 &&
               bq_cmp(a->lo, b->lo) == 0;
        all = bq_cmp(a->hi, b->lo) < 0 || bq_cmp(a->lo, b->hi) > 0;
        break;
    }
    if (all) {
        return v_int(1);
    }
    if (none) {
        return v_int(0);
    }
    {
        Val r = v_unknown();
        r.tv = TV_E;
        return r;
    }
}

static Val logic(int kind, const Val *a, const Val *b)
{
    Val r = v_unknown();
    int dom = kind == ND_AND ? 0 : 1;
    if ((a->tv == TV_OK && (a->lo.n != 0) == dom) ||
        (b->tv == TV_OK && (b->lo.n != 0) == dom)) {
        return v_int(dom);
    }
    r.tv = tv_join(a->tv, b->tv);
    if (r.tv == TV_OK) {
        return v_int(!dom);
    }
    return r;
}

Date batch_add_years(Date d, int64_t n)
{
    int y, m, dd;
    int64_t yy;
    Date out;
    date_to_ymd(d, &y, &m, &dd);
    yy = (int64_t)y + (int)n; /* as eval.c: the count taken as an int */
    if (yy < 1 || yy > 9999) {
        return d;
    }
    y = (int)yy;
    if (m == 2 && dd == 29 && !date_is_leap(y)) {
        dd = 28;
    }
    if (date_from_ymd(y, m, dd, &out, NULL, NULL) != 0) {
        return d;
    }
    return out;
}

static inline __attribute__((always_inline)) int arm_meets(const BandArm *a,
                                                           Q lo, Q hi)
{
    if (a->has_lo) {
        int k = bq_cmp(hi, a->lo);
        if (k < 0 || (k == 0 && !a->lo_incl)) {
            return 0;
        }
    }
    if (a->has_hi) {
        int k = bq_cmp(lo, a->hi);
        if (k > 0 || (k == 0 && !a->hi_incl)) {
            return 0;
        }
    }
    return 1;
}

static void widen(Val *r, int *any, const Node *v)
{
    if (!*any) {
        r->lo = v->lo;
        r->hi = v->hi;
        *any = 1;
    } else {
        r->lo = bqmin(r->lo, v->lo);
        r->hi = bqmax(r->hi, v->hi);
    }
}

/* ---- block evaluation ------------------------------------------------- */

static void bev(BCtx *c, const Node *n, Val *out);
static void eval_item(BCtx *c, int i);

static Val *tmp_push(BCtx *c)
{
    if (c->top >= BATCH_MAX_TEMPS) {
        c->overflow = 1;
        c->top++;
        return NULL;
    }
    if (!c->temps[c->top]) {
        c->temps[c->top] = xmalloc(sizeof(Val) * BLK);
    }
    return c->temps[c->top++];
}

static void tmp_pop(BCtx *c, int k)
{
    c->top -= k;
}

static void fill(BCtx *c, Val *out, Val v)
{
    for (int i = 0; i < c->m; i++) {
        out[i] = v;
    }
}

static void field_at(BCtx *c, int fid, int yoff, Val *out)
{
    int s = RULE_YEARS - 1 + yoff;
    const int64_t *v;
    const uint8_t *h;
    if (s < 0 || s >= RULE_YEARS || !c->in->yv[fid][s]) {
        fill(c, out, v_unknown());
        return;
    }
    v = c->in->yv[fid][s] + c->base;
    h = c->in->yhas[fid][s] ? c->in->yhas[fid][s] + c->base : NULL;
    for (int i = 0; i < c->m; i++) {
        out[i] = !h || h[i] ? v_int(v[i]) : v_unknown();
    }
}

static void scalar(BCtx *c, int fid, Val *out)
{
    const int64_t *hi;
    const uint8_t *h;
    if (!batch_scol(c->in, fid)) {
        fill(c, out, v_unknown());
        return;
    }
    h = c->in->shas[fid] ? c->in->shas[fid] + c->base : NULL;
    hi = c->in->shi[fid] ? c->in->shi[fid] + c->base : NULL;
    for (int i = 0; i < c->m; i++) {
        int64_t v = batch_sval(c->in, fid, c->base + (size_t)i);
        if (!h || h[i]) {
            out[i] = v_int(v);
        } else if (hi && hi[i] > v) { /* known bounds */
            out[i] = uv_unknown(VU_LO | VU_HI);
            out[i].lo = q_int(v);
            out[i].hi = q_int(hi[i]);
        } else {
            out[i] = v_unknown();
        }
    }
}

/* A yearly reference (field or derived) at absolute offset off. */
static void yearly_at(BCtx *c, const Node *ref, int off, Val *out)
{
    int save;
    if (ref->kind == ND_FIELD) {
        field_at(c, ref->fid, off, out);
        return;
    }
    if (++c->depth > RULES_MAX_DEPTH) {
        c->depth--;
        fill(c, out, v_unknown());
        return;
    }
    save = c->yctx;
    c->yctx = off;
    bev(c, c->rs->derived[ref->fid].expr, out);
    c->yctx = save;
    c->depth--;
}

/* First year of operation of row i, or 0 when established is missing. */
static int established_year(BCtx *c, int i)
{
    int fid = c->p->estab_fid;
    if (!c->ey_ready) { /* once per block */
        for (int k = 0; k < c->m; k++) {
            size_t r = c->base + (size_t)k;
            c->ey[k] = 0;
            if (fid >= 0 && batch_scol(c->in, fid) &&
                (!c->in->shas[fid] || c->in->shas[fid][r])) {
                date_to_ymd((Date)batch_sval(c->in, fid, r), &c->ey[k], NULL,
                            NULL);
            }
        }
        c->ey_ready = 1;
    }
    return c->ey[i];
}

/* An integer small enough that growth() cannot overflow on it. */
static int small_int(Q q)
{
    return q.d == 1 && q.n > -((__int128)1 << 40) && q.n < ((__int128)1 << 40);
}

/* n / d as an unreduced value (d != 0). */
static Q frac(__int128 n, __int128 d)
{
    Q q;
    if (d < 0) {
        n = -n;
        d = -d;
    }
    q.n = n;
    q.d = n == 0 ? 1 : d;
    return q;
}

static void sum_years(BCtx *c, const Node *n, Val *out)
{
    int a = n->yoff + c->yctx, b = n->yoff2 + c->yctx;
    int k0 = a, nk = b - a + 1;
    Val *ys[RULE_YEARS * 2 + 1];
    int pushed = 0;

    if (nk < 0) {
        nk = 0;
    }
    if (nk > RULE_YEARS * 2) {
        /* wider than any window: every slot outside is unknown */
        nk = RULE_YEARS * 2;
    }
    for (int k = 0; k < nk; k++) {
        ys[k] = tmp_push(c);
        pushed++;
        if (!ys[k]) {
            tmp_pop(c, pushed);
            fill(c, out, v_unknown());
            return;
        }
        yearly_at(c, n->a, k0 + k, ys[k]);
    }
    for (int i = 0; i < c->m; i++) {
        int first = a, count = 0, partial = 0;
        Val acc = v_int(0);
        if (n->op != SUMF_ALL) {
            int ey = established_year(c, i), fy;
            if (ey == 0) {
                out[i] = v_unknown();
                continue;
            }
            /* the first full year (the day before establishment's year
             * plus one) */
            date_to_ymd(
                (Date)batch_sval(c->in, c->p->estab_fid, c->base + (size_t)i) -
                    1,
                &fy, NULL, NULL);
            fy++;
            partial = SUMF_MARKS(n->op) && ey - c->in->year > first;
            first = sumf_first(n->op, a, b, c->in->year, ey, fy);
        }
        for (int k = first; k <= b; k++) {
            Val u = v_unknown();
            /* ys[0 .. nk) were all filled above */
            /* cppcheck-suppress uninitvar */
            const Val *v = k - k0 < nk ? &ys[k - k0][i] : &u;
            acc = arith(ND_ADD, &acc, v);
            count++;
        }
        if (acc.tv == TV_U) {
            out[i] = n->op == SUMF_AVG_OPERATING ? v_unknown() : acc;
            continue;
        }
        if (partial) {
            acc.tv = tv_join(acc.tv, TV_M);
        }
        if (SUMF_IS_AVG(n->op)) {
            Q r;
            if (count == 0 || q_div(bq_norm(acc.lo), q_int(count), &r)) {
                out[i] = v_unknown();
                continue;
            }
            acc.lo = r;
            if (q_div(bq_norm(acc.hi), q_int(count), &acc.hi)) {
                out[i] = v_unknown();
                continue;
            }
        }
        out[i] = acc;
    }
    tmp_pop(c, pushed);
}

static void growth(BCtx *c, const Node *n, Val *out)
{
    int a = n->yoff + c->yctx;
    Val *y1 = tmp_push(c), *y2 = tmp_push(c), *y3 = tmp_push(c);
    if (!y1 || !y2 || !y3) {
        tmp_pop(c, 3);
        fill(c, out, v_unknown());
        return;
    }
    yearly_at(c, n->a, a, y1);
    yearly_at(c, n->a, a + 1, y2);
    yearly_at(c, n->a, a + 2, y3);
    for (int i = 0; i < c->m; i++) {
        const Val *v1 = &y1[i], *v2 = &y2[i], *v3 = &y3[i];
        int ey = established_year(c, i), years, fy = ey;
        int marks = n->op == SUMF_ALL;
        Val r;
        Q g, t1, t2;
        if (ey == 0) {
            out[i] = v_unknown();
            continue;
        }
        if (n->op == SUMF_FULL) {
            date_to_ymd(
                (Date)batch_sval(c->in, c->p->estab_fid, c->base + (size_t)i) -
                    1,
                &fy, NULL, NULL);
            fy++;
        }
        years = growth_years(n->op, a, c->in->year, ey, fy);
        if (years >= 3 &&
            (v1->tv != TV_OK || v2->tv != TV_OK || v3->tv != TV_OK)) {
            out[i] = v_unknown();
            continue;
        }
        if (years == 2 && (v2->tv != TV_OK || v3->tv != TV_OK)) {
            out[i] = v_unknown();
            continue;
        }
        if (years < 2) {
            r = v_int(0);
            if (marks) {
                r.tv = TV_M;
            }
            out[i] = r;
            continue;
        }
        if (years == 2 || v1->lo.n == 0) {
            if (v2->lo.n == 0) {
                r = v_int(0);
            } else if (small_int(v2->lo) && small_int(v3->lo)) {
                /* v3 / v2 - 1 */
                r = v_num(frac(v3->lo.n - v2->lo.n, v2->lo.n));
            } else if (q_div(bq_norm(v3->lo), bq_norm(v2->lo), &g) ||
                       q_sub(g, q_int(1), &g)) {
                out[i] = v_unknown();
                continue;
            } else {
                r = v_num(g);
            }
            if ((years == 2 && marks) || v2->lo.n < 0) {
                r.tv = TV_M;
            }
            out[i] = r;
            continue;
        }
        if (v2->lo.n == 0) {
            out[i] = v_int(0);
            continue;
        }
        if (small_int(v1->lo) && small_int(v2->lo) && small_int(v3->lo)) {
            /* (v2/v1 + v3/v2) / 2 - 1 over one denominator: no q.c
             * operation can overflow on such operands, so the value is
             * the one eval.c computes */
            __int128 a1 = v1->lo.n, a2 = v2->lo.n, a3 = v3->lo.n;
            r = v_num(frac(a2 * a2 + a1 * a3 - 2 * a1 * a2, 2 * a1 * a2));
            if (a1 < 0 || a2 < 0) {
                r.tv = TV_M;
            }
            out[i] = r;
            continue;
        }
        if (q_div(bq_norm(v2->lo), bq_norm(v1->lo), &t1) ||
            q_div(bq_norm(v3->lo), bq_norm(v2->lo), &t2) || q_add(t1, t2, &g) ||
            q_div(g, q_int(2), &g) || q_sub(g, q_int(1), &g)) {
            out[i] = v_unknown();
            continue;
        }
        r = v_num(g);
        if (v1->lo.n < 0 || v2->lo.n < 0) {
            r.tv = TV_M;
        }
        out[i] = r;
    }
    tmp_pop(c, 3);
}

static void band(BCtx *c, const Node *n, Val *out)
{
    bev(c, n->a, out);
    for (int i = 0; i < c->m; i++) {
        Val s = out[i], r = v_unknown();
        int any = 0;
        if (s.tv == TV_U) {
            Val x = nv(&s);
            out[i] = uv_band(n, &x);
            continue;
        }
        r.tv = s.tv;
        for (int k = 0; k < n->n_arms; k++) {
            if (!n->arms[k].is_else && arm_meets(&n->arms[k], s.lo, s.hi)) {
                widen(&r, &any, n->arms[k].value);
            }
        }
        for (int k = 0; k < n->n_arms && !any; k++) {
            if (n->arms[k].is_else) {
                widen(&r, &any, n->arms[k].value);
            }
        }
        out[i] = any ? r : v_unknown();
    }
}

static void cases(BCtx *c, const Node *n, Val *out)
{
    Val *conds[RULES_MAX_ARMS];
    int na = n->n_arms < RULES_MAX_ARMS ? n->n_arms : RULES_MAX_ARMS;
    int pushed = 0;
    for (int k = 0; k < na; k++) {
        conds[k] = NULL;
        if (n->arms[k].cond) {
            conds[k] = tmp_push(c);
            pushed++;
            if (!conds[k]) {
                tmp_pop(c, pushed);
                fill(c, out, v_unknown());
                return;
            }
            bev(c, n->arms[k].cond, conds[k]);
        }
    }
    for (int i = 0; i < c->m; i++) {
        Val r = v_unknown();
        int any = 0, pending = TV_OK, done = 0;
        for (int k = 0; k < na; k++) {
            const BandArm *a = &n->arms[k];
            Val kv = conds[k] ? conds[k][i] : v_int(1);
            if (kv.tv == TV_OK && kv.lo.n == 0) {
                continue;
            }
            widen(&r, &any, a->value);
            if (kv.tv == TV_OK && kv.lo.n != 0) {
                r.tv = pending;
                done = 1;
                break;
            }
            pending = tv_join(pending, kv.tv);
        }
        if (!done) {
            r.tv = any ? pending : TV_U;
        }
        if (r.tv == TV_U && any) { /* as eval.c: within the arms */
            r.u = VU_LO | VU_HI;
        }
        out[i] = r;
    }
    tmp_pop(c, pushed);
}

/* The value of a node that is the same in every row (a literal), or 0. */
static int const_val(const BCtx *c, const Node *n, Val *v)
{
    switch (n->kind) {
    case ND_NUM:
        v->tv = TV_OK;
        v->u = 0;
        v->lo = n->lo;
        v->hi = n->hi;
        return 1;
    case ND_BOOL:
        *v = v_int(n->lo.n != 0);
        return 1;
    case ND_YEAR:
        *v = v_int((int64_t)c->in->year + n->yoff);
        return 1;
    case ND_ASOF:
        *v = v_int(c->in->asof);
        return 1;
    default:
        return 0;
    }
}

/* Binary node: a into out, b into a temporary (or one value when it is a
 * literal: no block to fill), then op row by row. */
/* The block of item n refers to, evaluated, or NULL when n is not an item
 * reference or the item is being evaluated (a cycle: bev answers it). */
static const Val *item_block(BCtx *c, const Node *n)
{
    if (n->kind != ND_ITEM || c->state[n->fid] == 1) {
        return NULL;
    }
    eval_item(c, n->fid);
    return c->ivals + (size_t)n->fid * BLK;
}

static void binary(BCtx *c, const Node *n, Val *out)
{
    Val cb, *tb = NULL;
    const Val *pa, *pb;
    size_t bs = 1; /* stride of b: 0 for a literal */
    /* a, then b, as eval.c; item blocks and literals are read in place */
    if (!(pa = item_block(c, n->a))) {
        bev(c, n->a, out);
        pa = out;
    }
    if (const_val(c, n->b, &cb)) {
        pb = &cb;
        bs = 0;
    } else if (!(pb = item_block(c, n->b))) {
        if (!(tb = tmp_push(c))) {
            tmp_pop(c, 1);
            fill(c, out, v_unknown());
            return;
        }
        bev(c, n->b, tb);
        pb = tb;
    }
    switch (n->kind) {
    case ND_ADD:
    case ND_SUB:
    case ND_MUL:
    case ND_DIV:
        for (int i = 0; i < c->m; i++) {
            out[i] = arith(n->kind, &pa[i], &pb[i * bs]);
        }
        break;
    case ND_CMP:
        for (int i = 0; i < c->m; i++) {
            out[i] = compare(n->op, &pa[i], &pb[i * bs]);
        }
        break;
    case ND_AND:
    case ND_OR:
        for (int i = 0; i < c->m; i++) {
            out[i] = logic(n->kind, &pa[i], &pb[i * bs]);
        }
        break;
    case ND_MAX:
    case ND_MIN:
        for (int i = 0; i < c->m; i++) {
            Val r;
            r.tv = tv_join(pa[i].tv, pb[i * bs].tv);
            r.u = 0;
            if (r.tv == TV_U) {
                Val x = nv(&pa[i]), y = nv(&pb[i * bs]);
                out[i] = uv_maxmin(n->kind, &x, &y);
                continue;
            }
            r.lo = n->kind == ND_MAX ? bqmax(pa[i].lo, pb[i * bs].lo)
                                     : bqmin(pa[i].lo, pb[i * bs].lo);
            r.hi = n->kind == ND_MAX ? bqmax(pa[i].hi, pb[i * bs].hi)
                                     : bqmin(pa[i].hi, pb[i * bs].hi);
            out[i] = r;
        }
        break;
    case ND_ADD_YEARS:
        for (int i = 0; i < c->m; i++) {
            Q bn = bq_norm(pb[i * bs].lo);
            if (pa[i].tv != TV_OK || pb[i * bs].tv != TV_OK || bn.d != 1) {
                out[i] = v_unknown();
                continue;
            }
            out[i] = v_int(batch_add_years((Date)pa[i].lo.n, (int64_t)bn.n));
        }
        break;
    case ND_DAYS_BETWEEN:
        for (int i = 0; i < c->m; i++) {
            if (pa[i].tv != TV_OK || pb[i * bs].tv != TV_OK) {
                out[i] = v_unknown();
                continue;
            }
            out[i] = v_int((int64_t)(pb[i * bs].lo.n - pa[i].lo.n));
        }
        break;
    default:
        fill(c, out, v_unknown());
        break;
    }
    if (tb) {
        tmp_pop(c, 1);
    }
}

static void bev(BCtx *c, const Node *n, Val *out)
{
    if (!n) {
        fill(c, out, v_unknown());
        return;
    }
    switch (n->kind) {
    case ND_NUM: {
        Val r;
        r.tv = TV_OK;
        r.u = 0;
        r.lo = n->lo;
        r.hi = n->hi;
        fill(c, out, r);
        return;
    }
    case ND_BOOL:
        fill(c, out, v_int(n->lo.n != 0));
        return;
    case ND_FIELD:
        field_at(c, n->fid, n->yoff + c->yctx, out);
        return;
    case ND_DERIVED:
        yearly_at(c, n, n->yoff + c->yctx, out);
        return;
    case ND_SCALAR:
        scalar(c, n->fid, out);
        return;
    case ND_ITEM:
        if (c->state[n->fid] == 1) { /* a cycle through a group: unknown */
            fill(c, out, v_unknown());
            return;
        }
        eval_item(c, n->fid);
        memcpy(out, c->ivals + (size_t)n->fid * BLK,
               sizeof(Val) * (size_t)c->m);
        return;
    case ND_YEAR:
        fill(c, out, v_int((int64_t)c->in->year + n->yoff));
        return;
    case ND_ASOF:
        fill(c, out, v_int(c->in->asof));
        return;
    case ND_NEG:
        bev(c, n->a, out);
        for (int i = 0; i < c->m; i++) {
            Val a = out[i];
            if (a.tv == TV_U) {
                out[i] = uv_neg(a);
                continue;
            }
            out[i].lo.n = -a.hi.n;
            out[i].lo.d = a.hi.d;
            out[i].hi.n = -a.lo.n;
            out[i].hi.d = a.lo.d;
        }
        return;
    case ND_NOT:
        bev(c, n->a, out);
        for (int i = 0; i < c->m; i++) {
            if (out[i].tv == TV_OK) {
                out[i] = v_int(out[i].lo.n == 0);
            } else if (out[i].tv == TV_U) {
                out[i] = v_unknown();
            }
        }
        return;
    case ND_SUM:
        sum_years(c, n, out);
        return;
    case ND_GROWTH:
        growth(c, n, out);
        return;
    case ND_END_OF_YEAR: {
        Date d;
        if (date_from_ymd(c->in->year + n->yoff, 12, 31, &d, NULL, NULL) != 0) {
            fill(c, out, v_unknown());
        } else {
            fill(c, out, v_int(d));
        }
        return;
    }
    case ND_BAND:
        band(c, n, out);
        return;
    case ND_CASES:
        cases(c, n, out);
        return;
    case ND_ADD:
    case ND_SUB:
    case ND_MUL:
    case ND_DIV:
    case ND_CMP:
    case ND_AND:
    case ND_OR:
    case ND_MAX:
    case ND_MIN:
    case ND_ADD_YEARS:
    case ND_DAYS_BETWEEN:
        binary(c, n, out);
        return;
    default:
        fill(c, out, v_unknown());
        return;
    }
}

/* Evaluate item i for the block (once), as eval.c's eval_item. */
static void eval_item(BCtx *c, int i)
{
    const Item *it = &c->rs->items[i];
    Val *v = c->ivals + (size_t)i * BLK;

    if (c->state[i] == 2) {
        return;
    }
    if (c->state[i] == 1) {
        return; /* in progress: references are answered by bev (unknown) */
    }
    c->state[i] = 1;
    switch (it->kind) {
    case IT_LET:
    case IT_CHECK:
        bev(c, it->expr, v);
        break;
    case IT_SCORE:
        bev(c, it->expr, v);
        if (it->has_max) {
            for (int r = 0; r < c->m; r++) {
                if (v[r].tv != TV_U) {
                    v[r].hi = bqmin(v[r].hi, it->max);
                    v[r].lo = bqmin(v[r].lo, it->max);
                } else {
                    v[r] = uv_clamp(nv(&v[r]), it->max);
                }
            }
        }
        break;
    case IT_ALL:
    case IT_ANY: {
        int first = 1;
        for (int j = i + 1; j < c->rs->n_items; j++) {
            const Val *mv;
            if (c->rs->items[j].parent != i) {
                continue;
            }
            eval_item(c, j);
            mv = c->ivals + (size_t)j * BLK;
            if (first) {
                memcpy(v, mv, sizeof(Val) * (size_t)c->m);
            } else {
                int k = it->kind == IT_ALL ? ND_AND : ND_OR;
                for (int r = 0; r < c->m; r++) {
                    v[r] = logic(k, &v[r], &mv[r]);
                }
            }
            first = 0;
        }
        if (first) {
            fill(c, v, v_int(it->kind == IT_ALL));
        }
        break;
    }
    case IT_EXPERT: {
        Val x = v_unknown();
        x.tv = TV_OK;
        for (int g = 0, any = 0; g < it->n_grades; g++) {
            if (!any) {
                x.lo = it->grades[g].lo;
                x.hi = it->grades[g].hi;
                any = 1;
            } else {
                x.lo = bqmin(x.lo, it->grades[g].lo);
                x.hi = bqmax(x.hi, it->grades[g].hi);
            }
        }
        fill(c, v, x);
        break;
    }
    case IT_MANUAL: {
        Val x = v_unknown();
        x.tv = TV_M;
        fill(c, v, x);
        break;
    }
    default:
        fill(c, v, v_unknown());
        break;
    }
    c->state[i] = 2;
}

static int outcome_of(const BatchProg *p, int i, const Val *v)
{
    const Item *it = &p->rs->items[i];
    if (v->tv == TV_U) { /* as eval.c */
        return uv_outcome(v, p->alt[i]);
    }
    if (v->tv == TV_M) {
        return RULE_V_MANUAL;
    }
    if (v->tv == TV_E) {
        return RULE_V_EXPERT;
    }
    if (it->unit == UN_BOOL) {
        return v->lo.n ? RULE_V_MET : RULE_V_UNMET;
    }
    if (bq_cmp(v->lo, v->hi) != 0) {
        return RULE_V_EXPERT;
    }
    return RULE_V_INFO;
}

/* Conflict checks whose two columns both exist (others never fire). */
static int conflict_cols_of(const int (*pairs)[2], int n_pairs,
                            const BatchInput *in, ConflictCols *cc)
{
    int n = 0;
    for (int k = 0; k < n_pairs; k++) {
        int part = pairs[k][0], whole = pairs[k][1];
        for (int s = 0; s < RULE_YEARS; s++) {
            if (in->yv[part][s] && in->yv[whole][s]) {
                cc[n].pv = in->yv[part][s];
                cc[n].wv = in->yv[whole][s];
                cc[n].ph = in->yhas[part][s];
                cc[n].wh = in->yhas[whole][s];
                n++;
            }
        }
    }
    return n;
}

static int conflict_pairs(int pairs[5][2]);

/* The conflict checks of p over in; none when in counts them itself. */
static int conflict_cols(const BatchProg *p, const BatchInput *in,
                         ConflictCols *cc)
{
    return in->n_conflicts ? 0
                           : conflict_cols_of((const int(*)[2])p->pairs,
                                              p->n_pairs, in, cc);
}

/* Number of (pair, year slot) where row r holds a part larger than its
 * whole: rule_eval()'s conflict rows. */
static int conflicts(const ConflictCols *cc, int ncc, size_t r)
{
    int n = 0;
    for (int k = 0; k < ncc; k++) {
        if ((cc[k].ph && !cc[k].ph[r]) || (cc[k].wh && !cc[k].wh[r])) {
            continue;
        }
        n += cc[k].pv[r] > cc[k].wv[r];
    }
    return n;
}

/* Row r's conflict rows: given with the input, or counted. */
static int row_conflicts(const BatchInput *in, const ConflictCols *cc, int ncc,
                         size_t r)
{
    return in->n_conflicts ? in->n_conflicts[r] : conflicts(cc, ncc, r);
}

void batch_count_conflicts(const BatchInput *in, uint8_t *out)
{
    int pairs[5][2];
    int np = conflict_pairs(pairs);
    ConflictCols cc[5 * RULE_YEARS];
    BatchInput plain = *in;
    int ncc;

    plain.n_conflicts = NULL;
    ncc = conflict_cols_of((const int(*)[2])pairs, np, &plain, cc);
    for (size_t r = 0; r < in->n; r++) {
        int n = conflicts(cc, ncc, r);
        out[r] = (uint8_t)(n > 255 ? 255 : n);
    }
}

/* Evaluate one block of rows starting at base. */
static void eval_block(BCtx *c, size_t base, int m, const BatchOut *out)
{
    const RuleSet *rs = c->rs;
    Val *pass, *tot = NULL;
    ConflictCols cc[5 * RULE_YEARS];
    int ncc = conflict_cols(c->p, c->in, cc);

    c->base = base;
    c->m = m;
    c->yctx = 0;
    c->depth = 0;
    c->top = 0;
    c->overflow = 0;
    c->ey_ready = 0;
    memset(c->state, 0, (size_t)rs->n_items + 1);
    for (int i = 0; i < rs->n_items; i++) {
        eval_item(c, i);
    }
    pass = tmp_push(c);
    if (rs->total) {
        tot = tmp_push(c);
    }
    if (!pass || (rs->total && !tot)) {
        tmp_pop(c, rs->total ? 2 : 1);
        return; /* c->overflow is set: the caller marks the block */
    }
    bev(c, rs->pass, pass);
    if (tot) {
        bev(c, rs->total, tot);
    }
    for (int r = 0; r < m; r++) {
        size_t row = base + (size_t)r;
        const Val *pv = &pass[r];
        int verdict = pv->tv == TV_U   ? RULE_V_UNKNOWN
                      : pv->tv == TV_M ? RULE_V_MANUAL
                      : pv->tv == TV_E ? RULE_V_EXPERT
                      : pv->lo.n       ? RULE_V_MET
                                       : RULE_V_UNMET;
        int nc = row_conflicts(c->in, cc, ncc, row);
        if (nc) {
            verdict = RULE_V_CONFLICT;
        }
        if (out->n_conflicts) {
            out->n_conflicts[row] = (uint8_t)(nc > 255 ? 255 : nc);
        }
        out->verdict[row] = (uint8_t)verdict;
        if (out->has_total || out->total_lo || out->total_hi) {
            int has = tot && tot[r].tv != TV_U;
            if (out->has_total) {
                out->has_total[row] = (uint8_t)has;
            }
            if (out->total_lo) {
                out->total_lo[row] = has ? (int64_t)q_floor(tot[r].lo) : 0;
            }
            if (out->total_hi) {
                out->total_hi[row] = has ? (int64_t)q_ceil(tot[r].hi) : 0;
            }
        }
        if (out->n_unmet || out->n_unknown) {
            int nu = 0, nk = 0;
            for (int i = 0; i < rs->n_items; i++) {
                int o;
                if (!c->p->has_row[i]) {
                    continue;
                }
                o = outcome_of(c->p, i, &c->ivals[(size_t)i * BLK + r]);
                nu += o == RULE_V_UNMET;
                nk += o == RULE_V_UNKNOWN;
            }
            if (out->n_unmet) {
                out->n_unmet[row] = (uint16_t)nu;
            }
            if (out->n_unknown) {
                out->n_unknown[row] = (uint16_t)nk;
            }
        }
        if (out->item_outcome) {
            for (int i = 0; i < rs->n_items; i++) {
                /* an item without a row (a let without a label) has no
                 * outcome, as on the fast path */
                if (out->item_outcome[i] && c->p->has_row[i]) {
                    out->item_outcome[i][row] = (uint8_t)outcome_of(
                        c->p, i, &c->ivals[(size_t)i * BLK + r]);
                }
            }
        }
    }
    tmp_pop(c, tot ? 2 : 1);
}

/* ---- compile, threads ------------------------------------------------- */

/* What the bounds of unknown values may do to node n, over-approximated
 * from its shape (uval.h): UR_BND its unknown value may carry bounds,
 * UR_NA it may be not applicable, UR_DEC an unknown value may become
 * known. Items and derived fields are looked into (depth-capped). */
enum { UR_BND = 1, UR_NA = 2, UR_DEC = 4 };

static int refine_of(const RuleSet *rs, const Node *n, int depth);

static int refine_item_of(const RuleSet *rs, int i, int depth)
{
    const Item *it = &rs->items[i];
    int f = 0;
    if (depth > RULES_MAX_DEPTH) {
        return UR_BND | UR_NA | UR_DEC;
    }
    switch (it->kind) {
    case IT_LET:
    case IT_CHECK:
        return refine_of(rs, it->expr, depth + 1);
    case IT_SCORE:
        f = refine_of(rs, it->expr, depth + 1);
        return it->has_max ? f | UR_BND : f;
    case IT_ALL:
    case IT_ANY:
        for (int j = i + 1; j < rs->n_items; j++) {
            if (rs->items[j].parent == i) {
                f |= refine_item_of(rs, j, depth + 1) & UR_DEC;
            }
        }
        return f;
    default:
        return 0; /* expert ranges and manual items are never unknown */
    }
}

static int refine_of(const RuleSet *rs, const Node *n, int depth)
{
    int a, b, f = 0;
    if (!n) {
        return 0;
    }
    if (depth > RULES_MAX_DEPTH) {
        return UR_BND | UR_NA | UR_DEC;
    }
    if (n->kind == ND_ITEM) {
        return n->fid >= 0 && n->fid < rs->n_items
                   ? refine_item_of(rs, n->fid, depth + 1)
                   : 0;
    }
    if (n->kind == ND_DERIVED) {
        return refine_of(rs, rs->derived[n->fid].expr, depth + 1);
    }
    if (n->kind == ND_SCALAR) { /* an input given as bounds */
        const RuleField *fd = rule_field_get(n->fid);
        return fd && fd->bounded ? UR_BND : 0;
    }
    a = refine_of(rs, n->a, depth + 1);
    b = refine_of(rs, n->b, depth + 1);
    for (int k = 0; k < n->n_arms; k++) {
        f |= refine_of(rs, n->arms[k].cond, depth + 1) & UR_DEC;
    }
    f |= (a | b) & UR_DEC; /* a known operand may make the node known */
    switch (n->kind) {
    case ND_ADD:
    case ND_SUB:
    case ND_NEG:
    case ND_SUM:
        return f | ((a | b) & (UR_BND | UR_NA));
    case ND_MUL:
        return f | ((a | b) & UR_NA);
    case ND_DIV:
        /* a division by a nonzero literal is never not applicable itself,
         * and an unknown quotient carries no bounds (uv_arith) */
        if (n->b && n->b->kind == ND_NUM && q_cmp(n->b->lo, n->b->hi) == 0 &&
            !q_is_zero(n->b->lo)) {
            return f | (a & UR_NA);
        }
        return f | UR_NA;
    case ND_CMP:
        return f | ((a | b) & UR_BND ? UR_DEC : 0);
    case ND_MAX:
    case ND_MIN:
        return f | UR_BND | ((a | b) & UR_NA) |
               ((a | b) & (UR_BND | UR_NA) ? UR_DEC : 0);
    case ND_BAND:
        return f | UR_BND | (a & UR_NA);
    case ND_CASES:
        return f | UR_BND;
    default:
        return f;
    }
}

int batch_refine_plain(const RuleSet *rs, const Node *n)
{
    return refine_of(rs, n, 0) == 0;
}

/* Does n itself (derived fields inlined, items not entered) hold a node
 * with which bounds may decide an unknown: a comparison with a bounded
 * operand, max/min with a bounded or not-applicable arm? */
static int own_dec(const RuleSet *rs, const Node *n, int depth)
{
    int f;
    if (!n || n->kind == ND_ITEM) {
        return 0;
    }
    if (depth > RULES_MAX_DEPTH) {
        return 1;
    }
    if (n->kind == ND_DERIVED) {
        return own_dec(rs, rs->derived[n->fid].expr, depth + 1);
    }
    if (n->kind == ND_CMP || n->kind == ND_MAX || n->kind == ND_MIN) {
        f = refine_of(rs, n->a, depth + 1) | refine_of(rs, n->b, depth + 1);
        if (f & (n->kind == ND_CMP ? UR_BND : UR_BND | UR_NA)) {
            return 1;
        }
    }
    if (own_dec(rs, n->a, depth + 1) || own_dec(rs, n->b, depth + 1)) {
        return 1;
    }
    for (int k = 0; k < n->n_arms; k++) {
        if (own_dec(rs, n->arms[k].cond, depth + 1)) {
            return 1;
        }
    }
    return 0;
}

/* Mark in seen[] the items n reads (through items, group members and
 * derived fields) and add to src[] those with a decision of their own. */
static void dec_sources(const RuleSet *rs, const Node *n, uint8_t *seen,
                        int16_t *src, int *ns, int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return;
    }
    if (n->kind == ND_DERIVED) {
        dec_sources(rs, rs->derived[n->fid].expr, seen, src, ns, depth + 1);
        return;
    }
    if (n->kind == ND_ITEM) {
        int i = n->fid;
        const Item *it;
        if (i < 0 || i >= rs->n_items || seen[i]) {
            return;
        }
        seen[i] = 1;
        it = &rs->items[i];
        if (it->kind == IT_ALL || it->kind == IT_ANY) {
            for (int j = i + 1; j < rs->n_items; j++) {
                if (rs->items[j].parent == i) {
                    Node ref;
                    memset(&ref, 0, sizeof ref);
                    ref.kind = ND_ITEM;
                    ref.fid = j;
                    dec_sources(rs, &ref, seen, src, ns, depth + 1);
                }
            }
            return;
        }
        if (own_dec(rs, it->expr, 0)) {
            src[(*ns)++] = (int16_t)i;
        }
        dec_sources(rs, it->expr, seen, src, ns, depth + 1);
        return;
    }
    dec_sources(rs, n->a, seen, src, ns, depth + 1);
    dec_sources(rs, n->b, seen, src, ns, depth + 1);
    for (int k = 0; k < n->n_arms; k++) {
        dec_sources(rs, n->arms[k].cond, seen, src, ns, depth + 1);
    }
}

/* Mark in mark[] item i and the items its expression reads. */
static void shadow_items(const RuleSet *rs, const Node *n, uint8_t *mark,
                         int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return;
    }
    if (n->kind == ND_ITEM) {
        if (n->fid >= 0 && n->fid < rs->n_items && !mark[n->fid]) {
            mark[n->fid] = 1;
            shadow_items(rs, rs->items[n->fid].expr, mark, depth + 1);
        }
        return;
    }
    shadow_items(rs, n->a, mark, depth + 1);
    shadow_items(rs, n->b, mark, depth + 1);
    for (int k = 0; k < n->n_arms; k++) {
        shadow_items(rs, n->arms[k].cond, mark, depth + 1);
    }
}

static void shadow_item_refs(const RuleSet *rs, const Node *n, uint8_t *mark,
                             int depth);

/* Mark item i, the items its expression reads and a group's members. */
static void shadow_item(const RuleSet *rs, int i, uint8_t *mark, int depth)
{
    if (i < 0 || i >= rs->n_items || mark[i] || depth > RULES_MAX_DEPTH) {
        return;
    }
    mark[i] = 1;
    shadow_item_refs(rs, rs->items[i].expr, mark, depth + 1);
    for (int j = i + 1; j < rs->n_items; j++) {
        if (rs->items[j].parent == i) {
            shadow_item(rs, j, mark, depth + 1);
        }
    }
}

static void shadow_item_refs(const RuleSet *rs, const Node *n, uint8_t *mark,
                             int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return;
    }
    if (n->kind == ND_ITEM) {
        shadow_item(rs, n->fid, mark, depth + 1);
        return;
    }
    shadow_item_refs(rs, n->a, mark, depth + 1);
    shadow_item_refs(rs, n->b, mark, depth + 1);
    for (int k = 0; k < n->n_arms; k++) {
        shadow_item_refs(rs, n->arms[k].cond, mark, depth + 1);
    }
}

/* The (part, whole) field pairs rule_eval() checks for conflicts. */
static int conflict_pairs(int pairs[5][2])
{
    static const char *names[][2] = {{"tech_staff", "employees"},
                                     {"rd_staff", "employees"},
                                     {"rd_domestic", "rd_expense"},
                                     {"main_revenue", "sales_revenue"},
                                     {"hitech_income", "total_revenue"}};
    int n = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        int a = rule_field_find(names[k][0]), b = rule_field_find(names[k][1]);
        if (a >= 0 && b >= 0) {
            pairs[n][0] = a;
            pairs[n][1] = b;
            n++;
        }
    }
    return n;
}

int batch_compile(const RuleSet *rs, BatchProg **out, Err *e)
{
    BatchProg *p = xcalloc(1, sizeof *p);
    (void)e;
    p->rs = rs;
    p->estab_fid = rule_field_find("established");
    p->n_pairs = conflict_pairs(p->pairs);
    for (int i = 0; i < rs->n_items; i++) {
        p->has_row[i] =
            !(rs->items[i].kind == IT_LET && rs->items[i].label[0] == '\0');
    }
    uv_alt_arms(rs, p->alt);
    for (int i = 0; i < rs->n_items; i++) {
        int f = refine_item_of(rs, i, 0);
        p->refine_item[i] =
            p->has_row[i] && ((f & UR_DEC) || (p->alt[i] && (f & UR_NA)));
        p->refine_any |= p->refine_item[i];
        p->ureach[i] = (f & (UR_BND | UR_DEC | UR_NA)) != 0;
        if (rs->items[i].expr && rs->items[i].expr->kind == ND_CMP) {
            const Node *x = rs->items[i].expr;
            int fa = refine_of(rs, x->a, 0) & (UR_BND | UR_DEC);
            int fb = refine_of(rs, x->b, 0) & (UR_BND | UR_DEC);
            p->cmp_free[i] = (uint8_t)((fa ? 0 : 1) | (fb ? 0 : 2));
        }
    }
    p->refine_pass = (refine_of(rs, rs->pass, 0) & UR_DEC) != 0;
    p->refine_total = rs->total && (refine_of(rs, rs->total, 0) & UR_DEC);
    {
        uint8_t seen[RULES_MAX_ITEMS];
        memset(seen, 0, sizeof seen);
        p->pass_direct = own_dec(rs, rs->pass, 0);
        dec_sources(rs, rs->pass, seen, p->pass_src, &p->n_pass_src, 0);
        memset(seen, 0, sizeof seen);
        p->total_direct = own_dec(rs, rs->total, 0);
        dec_sources(rs, rs->total, seen, p->total_src, &p->n_total_src, 0);
        for (int k = 0; k < p->n_pass_src + p->n_total_src; k++) {
            Node ref;
            memset(&ref, 0, sizeof ref);
            ref.kind = ND_ITEM;
            ref.fid = k < p->n_pass_src ? p->pass_src[k]
                                        : p->total_src[k - p->n_pass_src];
            shadow_items(rs, &ref, p->shadow, 0);
        }
        if (p->refine_pass) { /* f_refine computes the verdict too */
            shadow_items(rs, rs->pass, p->shadow, 0);
        }
        if (p->refine_total) { /* and the total */
            shadow_items(rs, rs->total, p->shadow, 0);
        }
        for (int i = 0; i < rs->n_items; i++) { /* item outcomes */
            if (p->refine_item[i]) {
                shadow_item(rs, i, p->xshadow, 0);
            }
        }
        for (int i = 0; i < rs->n_items; i++) { /* f_exact_val knows them */
            if (rs->items[i].kind == IT_EXPERT ||
                rs->items[i].kind == IT_MANUAL) {
                p->shadow[i] = 0;
                p->xshadow[i] = 0;
            }
        }
    }
    batch_fast_compile(p);
    *out = p;
    return 0;
}

void batch_free(BatchProg *p)
{
    free(p);
}

int batch_n_items(const BatchProg *p)
{
    return p->rs->n_items;
}

int batch_item_find(const BatchProg *p, const char *id)
{
    for (int i = 0; i < p->rs->n_items; i++) {
        if (strcmp(p->rs->items[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

int batch_fast_path(const BatchProg *p)
{
    return p->fast;
}

/* The fast path's kernels for one instruction set. */
typedef struct FastOps {
    BatchFast *(*make)(const BatchProg *p, const BatchInput *in);
    void (*free)(BatchFast *c);
    int (*block)(BatchFast *c, size_t base, int m, const BatchOut *out,
                 const ConflictCols *cc, int ncc, const uint8_t **bail);
    size_t (*refined)(const BatchFast *c);
} FastOps;

static const FastOps fast_base = {batch_fast_new, batch_fast_free,
                                  batch_fast_block, batch_fast_refined};
#ifdef BATCH_HAVE_AVX2
static const FastOps fast_avx2 = {batch_fast_new_avx2, batch_fast_free_avx2,
                                  batch_fast_block_avx2,
                                  batch_fast_refined_avx2};
#endif

/* The AVX2 kernels when they are built and the processor has AVX2. */
static const FastOps *fast_ops(int baseline)
{
#ifdef BATCH_HAVE_AVX2
    if (!baseline && __builtin_cpu_supports("avx2")) {
        return &fast_avx2;
    }
#else
    (void)baseline;
#endif
    return &fast_base;
}

const char *batch_isa(void)
{
    return fast_ops(0) == &fast_base ? "基础指令集" : "AVX2";
}

typedef struct Job {
    const BatchProg *p;
    const BatchInput *in;
    const BatchOut *out;
    size_t from, to;
    const FastOps *fast; /* NULL: the exact path */
    size_t n_exact;      /* rows evaluated on the exact path */
    size_t n_refined;    /* rows the fast path refined (BatchOut) */
} Job;

/* Rows [b, b + m) on the exact path. */
static void exact_rows(BCtx *c, size_t b, int m, const BatchOut *out)
{
    eval_block(c, b, m, out);
    if (c->overflow) {
        /* nesting deeper than the temporaries: cannot happen within
         * RULES_MAX_DEPTH, but never leave garbage behind */
        for (size_t r = b; r < b + (size_t)m; r++) {
            out->verdict[r] = RULE_V_UNKNOWN;
        }
    }
}

/* Rows of one block gathered into columns of their own, so that the rows
 * the fast path leaves to the exact path are evaluated as one block. */
typedef struct Gather {
    BatchInput in;
    BatchOut out;
    int64_t v[(RULE_N_YEARLY * RULE_YEARS + RULE_MAX_FIELDS) * BLK];
    uint8_t h[(RULE_N_YEARLY * RULE_YEARS + RULE_MAX_FIELDS) * BLK];
    int64_t hv[RULE_MAX_FIELDS * BLK]; /* upper bounds (BatchInput.shi) */
    uint8_t nc_in[BLK];
    uint8_t verdict[BLK], has_total[BLK], n_conflicts[BLK];
    int64_t total_lo[BLK], total_hi[BLK];
    uint16_t n_unmet[BLK], n_unknown[BLK];
    uint8_t *io[RULES_MAX_ITEMS];
    uint8_t iobuf[RULES_MAX_ITEMS * BLK];
} Gather;

static void gather_col(const int64_t *v, const uint8_t *h, size_t base,
                       const int *rows, int k, int slot, Gather *g,
                       const int64_t **ov, const uint8_t **oh)
{
    int64_t *dv = g->v + (size_t)slot * BLK;
    uint8_t *dh = g->h + (size_t)slot * BLK;
    *ov = v ? dv : NULL;
    *oh = h ? dh : NULL;
    for (int j = 0; v && j < k; j++) {
        dv[j] = v[base + (size_t)rows[j]];
    }
    for (int j = 0; h && j < k; j++) {
        dh[j] = h[base + (size_t)rows[j]];
    }
}

/* Rows base + rows[0 .. k) on the exact path, as one gathered block. */
static void exact_gathered(BCtx *c, Gather *g, size_t base, const int *rows,
                           int k, const BatchOut *out)
{
    const BatchInput *in = c->in;
    int slot = 0, n = c->rs->n_items;
    memset(&g->in, 0, sizeof g->in);
    g->in.n = (size_t)k;
    g->in.year = in->year;
    g->in.asof = in->asof;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            gather_col(in->yv[f][s], in->yhas[f][s], base, rows, k, slot++, g,
                       &g->in.yv[f][s], &g->in.yhas[f][s]);
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        gather_col(in->sv[f], in->shas[f], base, rows, k, slot++, g,
                   &g->in.sv[f], &g->in.shas[f]);
        if (in->sv8[f]) { /* gathered as int64 */
            int64_t *dv = g->v + (size_t)(slot - 1) * BLK;
            for (int j = 0; j < k; j++) {
                dv[j] = (int64_t)in->sv8[f][base + (size_t)rows[j]];
            }
            g->in.sv[f] = dv;
        }
        if (in->shi[f]) {
            int64_t *dv = g->hv + (size_t)f * BLK;
            for (int j = 0; j < k; j++) {
                dv[j] = in->shi[f][base + (size_t)rows[j]];
            }
            g->in.shi[f] = dv;
        }
    }
    if (in->n_conflicts) {
        for (int j = 0; j < k; j++) {
            g->nc_in[j] = in->n_conflicts[base + (size_t)rows[j]];
        }
        g->in.n_conflicts = g->nc_in;
    }
    memset(&g->out, 0, sizeof g->out);
    g->out.verdict = g->verdict;
    g->out.has_total = out->has_total ? g->has_total : NULL;
    g->out.total_lo = out->total_lo ? g->total_lo : NULL;
    g->out.total_hi = out->total_hi ? g->total_hi : NULL;
    g->out.n_unmet = out->n_unmet ? g->n_unmet : NULL;
    g->out.n_unknown = out->n_unknown ? g->n_unknown : NULL;
    g->out.n_conflicts = out->n_conflicts ? g->n_conflicts : NULL;
    if (out->item_outcome) {
        for (int i = 0; i < n; i++) {
            g->io[i] = out->item_outcome[i] ? g->iobuf + (size_t)i * BLK : NULL;
        }
        g->out.item_outcome = g->io;
    }
    c->in = &g->in;
    exact_rows(c, 0, k, &g->out);
    c->in = in;
    for (int j = 0; j < k; j++) {
        size_t r = base + (size_t)rows[j];
        out->verdict[r] = g->verdict[j];
        if (out->has_total) {
            out->has_total[r] = g->has_total[j];
        }
        if (out->total_lo) {
            out->total_lo[r] = g->total_lo[j];
        }
        if (out->total_hi) {
            out->total_hi[r] = g->total_hi[j];
        }
        if (out->n_unmet) {
            out->n_unmet[r] = g->n_unmet[j];
        }
        if (out->n_unknown) {
            out->n_unknown[r] = g->n_unknown[j];
        }
        if (out->n_conflicts) {
            out->n_conflicts[r] = g->n_conflicts[j];
        }
        for (int i = 0; out->item_outcome && i < n; i++) {
            if (out->item_outcome[i]) {
                out->item_outcome[i][r] = g->iobuf[(size_t)i * BLK + j];
            }
        }
    }
}

/* Evaluate rows [from, to) block by block on this thread: on the fast
 * path when the job allows it, with the rows it leaves on the exact path. */
static void *run_range(void *arg)
{
    Job *j = arg;
    BCtx c;
    BatchFast *f = j->fast ? j->fast->make(j->p, j->in) : NULL;
    ConflictCols cc[5 * RULE_YEARS];
    int ncc = conflict_cols(j->p, j->in, cc);
    int n = j->p->rs->n_items, k, rows[BLK];
    size_t n_exact = 0; /* kept here: jobs[] share cache lines */
    Gather *g = NULL;
    memset(&c, 0, sizeof c);
    c.p = j->p;
    c.rs = j->p->rs;
    c.in = j->in;
    c.ivals = xmalloc(sizeof(Val) * BLK * ((size_t)n + 1));
    c.state = xcalloc((size_t)n + 1, 1);
    for (size_t b = j->from; b < j->to; b += BLK) {
        size_t m = j->to - b < BLK ? j->to - b : BLK;
        const uint8_t *bail = NULL;
        if (!f || j->fast->block(f, b, (int)m, j->out, cc, ncc, &bail)) {
            exact_rows(&c, b, (int)m, j->out);
            n_exact += m;
            continue;
        }
        k = 0;
        for (size_t r = 0; r < m; r++) {
            uint64_t w = 0;

            /* eight rows at a time: most blocks leave none */
            if ((r & 7) == 0 && r + 8 <= m) {
                memcpy(&w, bail + r, sizeof w);
                if (w == 0) {
                    r += 7;
                    continue;
                }
            }
            if (bail[r]) {
                rows[k++] = (int)r;
            }
        }
        n_exact += (size_t)k;
        if (k == 1) {
            exact_rows(&c, b + (size_t)rows[0], 1, j->out);
        } else if (k > 1) {
            if (!g) {
                g = xmalloc(sizeof *g);
            }
            exact_gathered(&c, g, b, rows, k, j->out);
        }
    }
    for (int t = 0; t < BATCH_MAX_TEMPS; t++) {
        free(c.temps[t]);
    }
    free(g);
    free(c.ivals);
    free(c.state);
    j->n_exact += n_exact;
    if (f) {
        j->n_refined += j->fast->refined(f);
        j->fast->free(f);
    }
    return NULL;
}

int batch_eval(const BatchProg *p, const BatchInput *in, BatchOut *out,
               int threads, Err *e)
{
    Job jobs[BATCH_MAX_THREADS];
    pthread_t th[BATCH_MAX_THREADS];
    pthread_attr_t attr;
    int started[BATCH_MAX_THREADS] = {0};
    size_t per;
    const FastOps *fast =
        p->fast && !out->exact ? fast_ops(out->baseline) : NULL;

    if (!out->verdict) {
        return err_set(e, ERR_INVALID, "verdict", "批量评价缺少结果数组");
    }
    if (threads < 1) {
        threads = 1;
    }
    if (threads > BATCH_MAX_THREADS) {
        threads = BATCH_MAX_THREADS;
    }
    if (!out->split && (size_t)threads * BATCH_MIN_ROWS_PER_THREAD > in->n) {
        threads = (int)(in->n / BATCH_MIN_ROWS_PER_THREAD);
    }
    if ((size_t)threads * BLK * 4 > in->n) {
        threads = 1;
    }
    if (threads < 1) {
        threads = 1;
    }
    per = (in->n + (size_t)threads - 1) / (size_t)threads;
    per = (per + BLK - 1) / BLK * BLK;
    for (int t = 0; t < threads; t++) {
        jobs[t].p = p;
        jobs[t].in = in;
        jobs[t].out = out;
        jobs[t].fast = fast;
        jobs[t].n_exact = 0;
        jobs[t].n_refined = 0;
        jobs[t].from = per * (size_t)t;
        jobs[t].to = per * (size_t)(t + 1);
        if (jobs[t].from > in->n) {
            jobs[t].from = in->n;
        }
        if (jobs[t].to > in->n) {
            jobs[t].to = in->n;
        }
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, BATCH_THREAD_STACK);
    for (int t = 1; t < threads; t++) {
        started[t] = pthread_create(&th[t], &attr, run_range, &jobs[t]) == 0;
        if (!started[t]) {
            run_range(&jobs[t]);
        }
    }
    pthread_attr_destroy(&attr);
    run_range(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) {
            pthread_join(th[t], NULL);
        }
    }
    out->n_threads = threads;
    out->n_exact = 0;
    out->n_refined = 0;
    for (int t = 0; t < threads; t++) {
        out->n_exact += jobs[t].n_exact;
        out->n_refined += jobs[t].n_refined;
    }
    return 0;
}

void batch_input_slice(const BatchInput *in, size_t from, size_t n,
                       BatchInput *out)
{
    *out = *in;
    out->n = n;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            out->yv[f][s] = in->yv[f][s] ? in->yv[f][s] + from : NULL;
            out->yhas[f][s] = in->yhas[f][s] ? in->yhas[f][s] + from : NULL;
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        out->sv[f] = in->sv[f] ? in->sv[f] + from : NULL;
        out->sv8[f] = in->sv8[f] ? in->sv8[f] + from : NULL;
        out->shas[f] = in->shas[f] ? in->shas[f] + from : NULL;
        out->shi[f] = in->shi[f] ? in->shi[f] + from : NULL;
    }
    out->n_conflicts = in->n_conflicts ? in->n_conflicts + from : NULL;
}

void batch_input_from_rule_input(const RuleInput *ri, BatchInput *in)
{
    memset(in, 0, sizeof *in);
    in->n = 1;
    in->year = ri->year;
    in->asof = ri->asof;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            in->yv[f][s] = &ri->yv[f][s];
            in->yhas[f][s] = &ri->yhas[f][s];
        }
    }
    for (int f = RULE_N_YEARLY; f < RULE_MAX_FIELDS; f++) {
        in->sv[f] = &ri->sv[f];
        in->shas[f] = &ri->shas[f];
        in->shi[f] = &ri->shi[f];
    }
}
