/* uval.h - what is known about an unknown value (shared by eval.c and
 * batch.c so the full and the batch evaluator decide alike).
 *
 * An unknown (TV_U) value may still be bounded: a band over a missing
 * ratio scores within its arms, a `cases` with a missing condition within
 * the arms it may take, a score within its `max`. Val.u says which bounds
 * of [lo, hi] hold (VU_LO, VU_HI) and whether the value is not applicable
 * (VU_NA: a division by zero, e.g. R&D / sales with sales 0). Every
 * operation below is sound: the true value, whatever the missing inputs
 * are, lies within the bounds it returns, so a comparison decided from
 * them is the comparison of every possible completion of the input.
 *
 * All functions take reduced operands (batch.c normalises first) and use
 * the exact q_* arithmetic; a bound whose computation overflows is
 * dropped (still sound). */
#ifndef KC_RULES_UVAL_H
#define KC_RULES_UVAL_H

#include <string.h>

#include "rules/eval.h"
#include "rules/q.h"

enum { VU_LO = 1, VU_HI = 2, VU_NA = 4 };

static inline Val uv_unknown(int u)
{
    Val v;
    memset(&v, 0, sizeof v);
    v.tv = TV_U;
    v.lo.d = v.hi.d = 1;
    v.u = u;
    return v;
}

/* Does v have a lower/upper bound? A value whose truth is pending manual
 * confirmation (TV_M) carries its numbers only as information: no bound. */
static inline int uv_has_lo(const Val *v)
{
    return v->tv == TV_OK || v->tv == TV_E || (v->tv == TV_U && (v->u & VU_LO));
}

static inline int uv_has_hi(const Val *v)
{
    return v->tv == TV_OK || v->tv == TV_E || (v->tv == TV_U && (v->u & VU_HI));
}

static inline int uv_na(const Val *v)
{
    return v->tv == TV_U && (v->u & VU_NA);
}

/* a OP b when one of them is unknown (+ - * /; the divisor is not zero). */
static inline Val uv_arith(int kind, const Val *a, const Val *b)
{
    int na = (uv_na(a) || uv_na(b)) ? VU_NA : 0;
    Val r = uv_unknown(na);
    if (a->tv == TV_M || b->tv == TV_M) {
        return r;
    }
    if (kind == ND_ADD) {
        if (uv_has_lo(a) && uv_has_lo(b) && !q_add(a->lo, b->lo, &r.lo)) {
            r.u |= VU_LO;
        }
        if (uv_has_hi(a) && uv_has_hi(b) && !q_add(a->hi, b->hi, &r.hi)) {
            r.u |= VU_HI;
        }
    } else if (kind == ND_SUB) {
        if (uv_has_lo(a) && uv_has_hi(b) && !q_sub(a->lo, b->hi, &r.lo)) {
            r.u |= VU_LO;
        }
        if (uv_has_hi(a) && uv_has_lo(b) && !q_sub(a->hi, b->lo, &r.hi)) {
            r.u |= VU_HI;
        }
    }
    if (!(r.u & VU_LO)) {
        r.lo = q_int(0);
    }
    if (!(r.u & VU_HI)) {
        r.hi = q_int(0);
    }
    return r;
}

/* a OP b (comparison) when one of them is unknown: true or false when the
 * bounds decide it, else unknown. */
static inline Val uv_compare(int op, const Val *a, const Val *b)
{
    int all = 0, none = 0;
    int alo = uv_has_lo(a), ahi = uv_has_hi(a);
    int blo = uv_has_lo(b), bhi = uv_has_hi(b);
    Val r;
    if (a->tv == TV_M || b->tv == TV_M) {
        return uv_unknown(0);
    }
    switch (op) {
    case CMP_GE:
        all = alo && bhi && q_cmp(a->lo, b->hi) >= 0;
        none = ahi && blo && q_cmp(a->hi, b->lo) < 0;
        break;
    case CMP_GT:
        all = alo && bhi && q_cmp(a->lo, b->hi) > 0;
        none = ahi && blo && q_cmp(a->hi, b->lo) <= 0;
        break;
    case CMP_LE:
        all = ahi && blo && q_cmp(a->hi, b->lo) <= 0;
        none = alo && bhi && q_cmp(a->lo, b->hi) > 0;
        break;
    case CMP_LT:
        all = ahi && blo && q_cmp(a->hi, b->lo) < 0;
        none = alo && bhi && q_cmp(a->lo, b->hi) >= 0;
        break;
    case CMP_EQ:
        none = (ahi && blo && q_cmp(a->hi, b->lo) < 0) ||
               (alo && bhi && q_cmp(a->lo, b->hi) > 0);
        break;
    default: /* CMP_NE */
        all = (ahi && blo && q_cmp(a->hi, b->lo) < 0) ||
              (alo && bhi && q_cmp(a->lo, b->hi) > 0);
        break;
    }
    if (!all && !none) {
        return uv_unknown(0);
    }
    memset(&r, 0, sizeof r);
    r.tv = TV_OK;
    r.lo = r.hi = q_int(all ? 1 : 0);
    return r;
}

/* max/min(a, b) when one of them is unknown. An arm that is not
 * applicable (a zero divisor) gives way to the other: the enterprise
 * chooses the indicator it can be scored on. A known arm that the unknown
 * one cannot beat is the result. Otherwise the result is unknown within
 * bounds that also hold should an unknown arm turn out not applicable
 * once its data are filled in (then the result is the other arm). */
static inline Val uv_maxmin(int kind, const Val *a, const Val *b)
{
    int ismax = kind == ND_MAX;
    Val r;
    if (uv_na(a) && !uv_na(b)) {
        return *b;
    }
    if (uv_na(b) && !uv_na(a)) {
        return *a;
    }
    if (uv_na(a)) { /* both */
        return uv_unknown(VU_NA);
    }
    if (a->tv == TV_M || b->tv == TV_M) {
        return uv_unknown(0);
    }
    if (a->tv == TV_U && b->tv == TV_U) {
        /* each may end up the result alone: the wider bounds */
        r = uv_unknown(0);
        if (uv_has_lo(a) && uv_has_lo(b)) {
            r.u |= VU_LO;
            r.lo = q_cmp(a->lo, b->lo) <= 0 ? a->lo : b->lo;
        }
        if (uv_has_hi(a) && uv_has_hi(b)) {
            r.u |= VU_HI;
            r.hi = q_cmp(a->hi, b->hi) >= 0 ? a->hi : b->hi;
        }
        return r;
    }
    {
        const Val *u = a->tv == TV_U ? a : b; /* the unknown arm */
        const Val *k = a->tv == TV_U ? b : a; /* the known one */
        r = uv_unknown(0);
        if (ismax) {
            if (uv_has_hi(u) && q_cmp(u->hi, k->lo) <= 0) {
                return *k;
            }
            r.u |= VU_LO;
            r.lo = k->lo;
            if (uv_has_hi(u)) {
                r.u |= VU_HI;
                r.hi = q_cmp(u->hi, k->hi) >= 0 ? u->hi : k->hi;
            }
        } else {
            if (uv_has_lo(u) && q_cmp(u->lo, k->hi) >= 0) {
                return *k;
            }
            r.u |= VU_HI;
            r.hi = k->hi;
            if (uv_has_lo(u)) {
                r.u |= VU_LO;
                r.lo = q_cmp(u->lo, k->lo) <= 0 ? u->lo : k->lo;
            }
        }
        return r;
    }
}

/* Does the arm's interval meet the (possibly unbounded) range of s? */
static inline int uv_arm_meets(const BandArm *a, const Val *s)
{
    if (a->has_lo && uv_has_hi(s)) {
        int k = q_cmp(s->hi, a->lo);
        if (k < 0 || (k == 0 && !a->lo_incl)) {
            return 0;
        }
    }
    if (a->has_hi && uv_has_lo(s)) {
        int k = q_cmp(s->lo, a->hi);
        if (k > 0 || (k == 0 && !a->hi_incl)) {
            return 0;
        }
    }
    return 1;
}

/* band(s) when s is unknown: the union of the arms its range meets (every
 * `else` arm included), still unknown but bounded. */
static inline Val uv_band(const Node *n, const Val *s)
{
    Val r = uv_unknown(s->u & VU_NA);
    int any = 0;
    for (int i = 0; i < n->n_arms; i++) {
        const BandArm *a = &n->arms[i];
        if (!a->is_else && !uv_arm_meets(a, s)) {
            continue;
        }
        if (!any) {
            r.lo = a->value->lo;
            r.hi = a->value->hi;
            any = 1;
        } else {
            if (q_cmp(a->value->lo, r.lo) < 0) {
                r.lo = a->value->lo;
            }
            if (q_cmp(a->value->hi, r.hi) > 0) {
                r.hi = a->value->hi;
            }
        }
    }
    if (any) {
        r.u |= VU_LO | VU_HI;
    }
    return r;
}

/* A score's `max N` applied to an unknown score. */
static inline Val uv_clamp(Val v, Q max)
{
    if (!(v.u & VU_HI) || q_cmp(v.hi, max) > 0) {
        v.hi = max;
    }
    if ((v.u & VU_LO) && q_cmp(v.lo, max) > 0) {
        v.lo = max;
    }
    v.u |= VU_HI;
    return v;
}

/* -v for an unknown v. */
static inline Val uv_neg(Val a)
{
    Val r = uv_unknown(a.u & VU_NA);
    if (a.u & VU_HI) {
        r.u |= VU_LO;
        r.lo.n = -a.hi.n;
        r.lo.d = a.hi.d;
    }
    if (a.u & VU_LO) {
        r.u |= VU_HI;
        r.hi.n = -a.lo.n;
        r.hi.d = a.lo.d;
    }
    return r;
}

/* Mark in alt[] the items that are an operand of max() or min() in n:
 * such an item, when not applicable, is an alternative not taken (its row
 * says so) rather than missing data. */
static inline void uv_alt_walk(const Node *n, uint8_t *alt, int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return;
    }
    if (n->kind == ND_MAX || n->kind == ND_MIN) {
        if (n->a && n->a->kind == ND_ITEM) {
            alt[n->a->fid] = 1;
        }
        if (n->b && n->b->kind == ND_ITEM) {
            alt[n->b->fid] = 1;
        }
    }
    uv_alt_walk(n->a, alt, depth + 1);
    uv_alt_walk(n->b, alt, depth + 1);
    for (int i = 0; i < n->n_arms; i++) {
        uv_alt_walk(n->arms[i].cond, alt, depth + 1);
    }
}

static inline void uv_alt_arms(const RuleSet *rs, uint8_t *alt)
{
    memset(alt, 0, (size_t)rs->n_items);
    for (int i = 0; i < rs->n_items; i++) {
        uv_alt_walk(rs->items[i].expr, alt, 0);
    }
}

/* The row outcome of an unknown item value: an alternative not
 * applicable is information, anything else is missing data. */
static inline int uv_outcome(const Val *v, int alt)
{
    return uv_na(v) && alt ? RULE_V_INFO : RULE_V_UNKNOWN;
}

/* Is the unknown value bounded on both sides (a score range to show)? */
static inline int uv_bounded(const Val *v)
{
    return v->tv != TV_U || (v->u & (VU_LO | VU_HI)) == (VU_LO | VU_HI);
}

#endif
