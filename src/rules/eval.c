/* eval.c - evaluate a compiled rule set on one input (see rules.h).
 *
 * Values are exact intervals of rationals with a truth state (eval.h).
 * Every operand is evaluated even when the result is already decided, so
 * an unknown result names all the fields it misses. Items are evaluated
 * once each, in order; groups after their members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "rules/eval.h"
#include "rules/explain.h"
#include "rules/q.h"
#include "rules/uval.h"

typedef struct Ctx {
    const RuleSet *rs;
    const RuleInput *in;
    MissSet miss, zero;
    MissSet read; /* every input slot fetched, present or not */
    int yctx;     /* year offset while evaluating a `yearly` definition */
    Val *vals;
    MissSet *imiss, *izero;
    uint8_t *state; /* 0 not yet, 1 computing, 2 done */
    uint8_t *alt;   /* operand of max/min (uv_alt_arms) */
    int depth;
} Ctx;

static Val ev(Ctx *c, const Node *n);

static void miss_set(MissSet *m, int bit)
{
    if (bit >= 0 && bit < MISS_WORDS * 64) {
        m->w[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

static void miss_or(MissSet *a, const MissSet *b)
{
    for (int i = 0; i < MISS_WORDS; i++) {
        a->w[i] |= b->w[i];
    }
}

static int miss_any(const MissSet *m)
{
    for (int i = 0; i < MISS_WORDS; i++) {
        if (m->w[i]) {
            return 1;
        }
    }
    return 0;
}

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

static Val v_bool(int b)
{
    return v_num(q_int(b ? 1 : 0));
}

/* Truth state of a condition: T/F as TV_OK, else its tv. */
static int is_true(const Val *v)
{
    return v->tv == TV_OK && v->lo.n != 0;
}

static int is_false(const Val *v)
{
    return v->tv == TV_OK && v->lo.n == 0;
}

/* The worse of two pending states for a numeric combination. */
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

static Q qmin(Q a, Q b)
{
    return q_cmp(a, b) <= 0 ? a : b;
}

static Q qmax(Q a, Q b)
{
    return q_cmp(a, b) >= 0 ? a : b;
}

/* Mark every input field n refers to (at year context yctx) in m. */
static void collect_refs(Ctx *c, const Node *n, int yctx, MissSet *m, int depth)
{
    if (!n || depth > RULES_MAX_HEIGHT) { /* never: parser.c caps heights */
        return;
    }
    if (n->kind == ND_FIELD) {
        for (int k = n->yoff; k <= n->yoff2; k++) {
            int s = RULE_YEARS - 1 + k + yctx;
            if (s >= 0 && s < RULE_YEARS) {
                miss_set(m, n->fid * RULE_YEARS + s);
            }
        }
        return;
    }
    if (n->kind == ND_SCALAR) {
        miss_set(m, MISS_SCALAR_BASE + n->fid);
        return;
    }
    if (n->kind == ND_DERIVED) {
        for (int k = n->yoff; k <= n->yoff2; k++) {
            collect_refs(c, c->rs->derived[n->fid].expr, k + yctx, m,
                         depth + 1);
        }
        return;
    }
    if (n->kind == ND_SUM || n->kind == ND_GROWTH) {
        Node tmp = *n->a;
        tmp.yoff = n->yoff;
        tmp.yoff2 = n->yoff2;
        collect_refs(c, &tmp, yctx, m, depth + 1);
        return;
    }
    collect_refs(c, n->a, yctx, m, depth + 1);
    collect_refs(c, n->b, yctx, m, depth + 1);
}

/* Interval arithmetic for + - * /. */
static Val arith(Ctx *c, int kind, Val a, Val b, const Node *bn)
{
    Val r;
    int tv = tv_join(a.tv, b.tv);
    if (kind == ND_DIV && b.tv != TV_U && q_cmp(b.lo, q_int(0)) <= 0 &&
        q_cmp(b.hi, q_int(0)) >= 0) {
        /* the divisor is (or may be) zero: not applicable; name it */
        collect_refs(c, bn, c->yctx, &c->zero, 0);
        return uv_unknown(VU_NA);
    }
    if (tv == TV_U) {
        return kind == ND_ADD || kind == ND_SUB
                   ? uv_arith(kind, &a, &b)
                   : uv_unknown(uv_na(&a) || uv_na(&b) ? VU_NA : 0);
    }
    r.tv = tv;
    r.u = 0;
    if (kind == ND_ADD) {
        if (q_add(a.lo, b.lo, &r.lo) || q_add(a.hi, b.hi, &r.hi)) {
            return v_unknown();
        }
        return r;
    }
    if (kind == ND_SUB) {
        if (q_sub(a.lo, b.hi, &r.lo) || q_sub(a.hi, b.lo, &r.hi)) {
            return v_unknown();
        }
        return r;
    }
    {
        Q xs[4], as[2] = {a.lo, a.hi}, bs[2] = {b.lo, b.hi};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                int bad = kind == ND_MUL ? q_mul(as[i], bs[j], &xs[i * 2 + j])
                                         : q_div(as[i], bs[j], &xs[i * 2 + j]);
                if (bad) {
                    return v_unknown();
                }
            }
        }
        r.lo = r.hi = xs[0];
        for (int i = 1; i < 4; i++) {
            r.lo = qmin(r.lo, xs[i]);
            r.hi = qmax(r.hi, xs[i]);
        }
    }
    return r;
}

static Val compare(int op, Val a, Val b)
{
    int all, none;
    int tv = tv_join(a.tv, b.tv);
    if (tv == TV_U) {
        return uv_compare(op, &a, &b);
    }
    if (tv == TV_M) {
        Val r = v_unknown();
        r.tv = tv;
        return r;
    }
    switch (op) {
    case CMP_GE:
        all = q_cmp(a.lo, b.hi) >= 0;
        none = q_cmp(a.hi, b.lo) < 0;
        break;
    case CMP_GT:
        all = q_cmp(a.lo, b.hi) > 0;
        none = q_cmp(a.hi, b.lo) <= 0;
        break;
    case CMP_LE:
        all = q_cmp(a.hi, b.lo) <= 0;
        none = q_cmp(a.lo, b.hi) > 0;
        break;
    case CMP_LT:
        all = q_cmp(a.hi, b.lo) < 0;
        none = q_cmp(a.lo, b.hi) >= 0;
        break;
    case CMP_EQ:
        all = q_cmp(a.lo, a.hi) == 0 && q_cmp(b.lo, b.hi) == 0 &&
              q_cmp(a.lo, b.lo) == 0;
        none = q_cmp(a.hi, b.lo) < 0 || q_cmp(a.lo, b.hi) > 0;
        break;
    default: /* CMP_NE */
        none = q_cmp(a.lo, a.hi) == 0 && q_cmp(b.lo, b.hi) == 0 &&
               q_cmp(a.lo, b.lo) == 0;
        all = q_cmp(a.hi, b.lo) < 0 || q_cmp(a.lo, b.hi) > 0;
        break;
    }
    if (all) {
        return v_bool(1);
    }
    if (none) {
        return v_bool(0);
    }
    {
        Val r = v_unknown();
        r.tv = TV_E;
        return r;
    }
}

static Val logic(int kind, Val a, Val b)
{
    Val r = v_unknown();
    int dom = kind == ND_AND ? 0 : 1; /* the dominating value */
    if ((a.tv == TV_OK && (a.lo.n != 0) == dom) ||
        (b.tv == TV_OK && (b.lo.n != 0) == dom)) {
        return v_bool(dom);
    }
    r.tv = tv_join(a.tv, b.tv);
    if (r.tv == TV_OK) {
        return v_bool(!dom);
    }
    return r;
}

static int slot_of(int yoff)
{
    return RULE_YEARS - 1 + yoff;
}

static Val field_at(Ctx *c, int fid, int yoff)
{
    int s = slot_of(yoff);
    if (s < 0 || s >= RULE_YEARS) {
        return v_unknown();
    }
    miss_set(&c->read, fid * RULE_YEARS + s);
    if (!c->in->yhas[fid][s]) {
        miss_set(&c->miss, fid * RULE_YEARS + s);
        return v_unknown();
    }
    return v_num(q_int(c->in->yv[fid][s]));
}

/* A yearly reference (field or derived) at absolute offset off. */
static Val yearly_at(Ctx *c, const Node *ref, int off)
{
    if (ref->kind == ND_FIELD) {
        return field_at(c, ref->fid, off);
    } else {
        int save = c->yctx;
        Val v;
        if (++c->depth > RULES_MAX_DEPTH) {
            c->depth--;
            return v_unknown();
        }
        c->yctx = off;
        v = ev(c, c->rs->derived[ref->fid].expr);
        c->yctx = save;
        c->depth--;
        return v;
    }
}

static Val scalar(Ctx *c, int fid)
{
    miss_set(&c->read, MISS_SCALAR_BASE + fid);
    if (!c->in->shas[fid]) {
        miss_set(&c->miss, MISS_SCALAR_BASE + fid);
        if (c->in->shi[fid] > c->in->sv[fid]) { /* known bounds */
            Val v = uv_unknown(VU_LO | VU_HI);
            v.lo = q_int(c->in->sv[fid]);
            v.hi = q_int(c->in->shi[fid]);
            return v;
        }
        return v_unknown();
    }
    return v_num(q_int(c->in->sv[fid]));
}

/* First year of operation, or 0 (and the field marked missing). */
static int established_year(Ctx *c)
{
    int fid = rule_field_find("established"), y;
    if (fid >= 0) {
        miss_set(&c->read, MISS_SCALAR_BASE + fid);
    }
    if (fid < 0 || !c->in->shas[fid]) {
        miss_set(&c->miss, MISS_SCALAR_BASE + (fid < 0 ? 0 : fid));
        return 0;
    }
    date_to_ymd((Date)c->in->sv[fid], &y, NULL, NULL);
    return y;
}

static Val sum_years(Ctx *c, const Node *n)
{
    int a = n->yoff + c->yctx, b = n->yoff2 + c->yctx, first = a, count = 0;
    int partial = 0;
    Val acc = v_num(q_int(0));

    if (n->op != SUMF_ALL) {
        int ey = established_year(c), fy;
        if (ey == 0) {
            return v_unknown();
        }
        /* the first full year: the year of the day before establishment,
         * plus one */
        date_to_ymd((Date)c->in->sv[rule_field_find("established")] - 1, &fy,
                    NULL, NULL);
        fy++;
        partial = SUMF_MARKS(n->op) && ey - c->in->year > first;
        first = sumf_first(n->op, a, b, c->in->year, ey, fy);
    }
    for (int k = first; k <= b; k++) {
        Val v = yearly_at(c, n->a, k);
        acc = arith(c, ND_ADD, acc, v, NULL);
        count++;
    }
    if (acc.tv == TV_U) {
        return n->op == SUMF_AVG_OPERATING ? v_unknown() : acc;
    }
    if (partial) {
        acc.tv = tv_join(acc.tv, TV_M); /* 按实际经营时间计算: 口径待确认 */
    }
    if (SUMF_IS_AVG(n->op)) {
        Q r;
        if (count == 0 || q_div(acc.lo, q_int(count), &r)) {
            return v_unknown();
        }
        acc.lo = r;
        if (q_div(acc.hi, q_int(count), &acc.hi)) {
            return v_unknown();
        }
    }
    return acc;
}

/* 1/2 x (v2/v1 + v3/v2) - 1 with the official zero-base rules: a zero
 * second year gives 0, a zero first year gives v3/v2 - 1. A year before
 * the operating years (growth_years()) counts as 0, so two operating years
 * give v3/v2 - 1 and one gives 0 (工作指引: 实际经营期不满三年的按实际经营
 * 时间计算); growth() marks them for manual confirmation, growth_since()
 * and growth_full() do not. Negative bases are computed as the secondary
 * sources do but marked for manual confirmation (the official text does
 * not cover a non-positive base). */
static Val growth(Ctx *c, const Node *n)
{
    int a = n->yoff + c->yctx;
    int ey = established_year(c), years, fy = ey, marks = n->op == SUMF_ALL;
    Val v1, v2, v3, r;
    Q g, t1, t2;

    v1 = yearly_at(c, n->a, a);
    v2 = yearly_at(c, n->a, a + 1);
    v3 = yearly_at(c, n->a, a + 2);
    if (ey == 0) {
        return v_unknown();
    }
    if (n->op == SUMF_FULL) {
        date_to_ymd((Date)c->in->sv[rule_field_find("established")] - 1, &fy,
                    NULL, NULL);
        fy++;
    }
    years = growth_years(n->op, a, c->in->year, ey, fy);
    if (years >= 3 && (v1.tv != TV_OK || v2.tv != TV_OK || v3.tv != TV_OK)) {
        return v_unknown();
    }
    if (years == 2 && (v2.tv != TV_OK || v3.tv != TV_OK)) {
        return v_unknown();
    }
    if (years < 2) {
        r = v_num(q_int(0));
        if (marks) {
            r.tv = TV_M;
        }
        return r;
    }
    if (years == 2 || q_is_zero(v1.lo)) {
        if (q_is_zero(v2.lo)) {
            r = v_num(q_int(0));
        } else if (q_div(v3.lo, v2.lo, &g) || q_sub(g, q_int(1), &g)) {
            return v_unknown();
        } else {
            r = v_num(g);
        }
        if ((years == 2 && marks) || v2.lo.n < 0) {
            r.tv = TV_M;
        }
        return r;
    }
    if (q_is_zero(v2.lo)) {
        return v_num(q_int(0));
    }
    if (q_div(v2.lo, v1.lo, &t1) || q_div(v3.lo, v2.lo, &t2) ||
        q_add(t1, t2, &g) || q_div(g, q_int(2), &g) || q_sub(g, q_int(1), &g)) {
        return v_unknown();
    }
    r = v_num(g);
    if (v1.lo.n < 0 || v2.lo.n < 0) {
        r.tv = TV_M;
    }
    return r;
}

static Date add_years(Date d, int64_t n)
{
    int y, m, dd;
    Date out;
    date_to_ymd(d, &y, &m, &dd);
    y += (int)n;
    if (y < 1 || y > 9999) {
        return d;
    }
    if (m == 2 && dd == 29 && !date_is_leap(y)) {
        dd = 28;
    }
    if (date_from_ymd(y, m, dd, &out, NULL, NULL) != 0) {
        return d;
    }
    return out;
}

/* Does [lo, hi] meet the arm's interval? */
static int arm_meets(const BandArm *a, Q lo, Q hi)
{
    if (a->has_lo) {
        int k = q_cmp(hi, a->lo);
        if (k < 0 || (k == 0 && !a->lo_incl)) {
            return 0;
        }
    }
    if (a->has_hi) {
        int k = q_cmp(lo, a->hi);
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
        r->lo = qmin(r->lo, v->lo);
        r->hi = qmax(r->hi, v->hi);
    }
}

static Val band(Ctx *c, const Node *n)
{
    Val s = ev(c, n->a), r = v_unknown();
    int any = 0;
    if (s.tv == TV_U) {
        return uv_band(n, &s);
    }
    r.tv = s.tv;
    for (int i = 0; i < n->n_arms; i++) {
        if (!n->arms[i].is_else && arm_meets(&n->arms[i], s.lo, s.hi)) {
            widen(&r, &any, n->arms[i].value);
        }
    }
    for (int i = 0; i < n->n_arms && !any; i++) {
        if (n->arms[i].is_else) {
            widen(&r, &any, n->arms[i].value);
        }
    }
    if (!any) {
        return v_unknown();
    }
    return r;
}

static Val cases(Ctx *c, const Node *n)
{
    Val r = v_unknown();
    int any = 0, pending = TV_OK;
    for (int i = 0; i < n->n_arms; i++) {
        const BandArm *a = &n->arms[i];
        Val k = a->cond ? ev(c, a->cond) : v_bool(1);
        if (is_false(&k)) {
            continue;
        }
        widen(&r, &any, a->value);
        if (is_true(&k)) {
            r.tv = pending;
            if (r.tv == TV_U) {
                r.u = VU_LO | VU_HI;
            }
            return r;
        }
        pending = tv_join(pending, k.tv);
    }
    r.tv = any ? pending : TV_U;
    if (r.tv == TV_U && any) { /* a missing condition: within the arms */
        r.u = VU_LO | VU_HI;
    }
    return r;
}

static void eval_item(Ctx *c, int i);

static Val ev(Ctx *c, const Node *n)
{
    Val a, b, r;
    if (!n) {
        return v_unknown();
    }
    switch (n->kind) {
    case ND_NUM:
        r.tv = TV_OK;
        r.u = 0;
        r.lo = n->lo;
        r.hi = n->hi;
        return r;
    case ND_BOOL:
        return v_bool(n->lo.n != 0);
    case ND_FIELD:
        return field_at(c, n->fid, n->yoff + c->yctx);
    case ND_DERIVED:
        return yearly_at(c, n, n->yoff + c->yctx);
    case ND_SCALAR:
        return scalar(c, n->fid);
    case ND_ITEM:
        eval_item(c, n->fid);
        miss_or(&c->miss, &c->imiss[n->fid]);
        miss_or(&c->zero, &c->izero[n->fid]);
        return c->vals[n->fid];
    case ND_YEAR:
        return v_num(q_int(c->in->year + n->yoff));
    case ND_ASOF:
        return v_num(q_int(c->in->asof));
    case ND_NEG:
        a = ev(c, n->a);
        if (a.tv == TV_U) {
            return uv_neg(a);
        }
        r = a;
        r.lo.n = -a.hi.n;
        r.lo.d = a.hi.d;
        r.hi.n = -a.lo.n;
        r.hi.d = a.lo.d;
        return r;
    case ND_ADD:
    case ND_SUB:
    case ND_MUL:
    case ND_DIV:
        a = ev(c, n->a);
        b = ev(c, n->b);
        return arith(c, n->kind, a, b, n->b);
    case ND_CMP:
        a = ev(c, n->a);
        b = ev(c, n->b);
        return compare(n->op, a, b);
    case ND_AND:
    case ND_OR:
        a = ev(c, n->a);
        b = ev(c, n->b);
        return logic(n->kind, a, b);
    case ND_NOT:
        a = ev(c, n->a);
        if (a.tv == TV_OK) {
            return v_bool(a.lo.n == 0);
        }
        return a.tv == TV_U ? v_unknown() : a;
    case ND_SUM:
        return sum_years(c, n);
    case ND_GROWTH:
        return growth(c, n);
    case ND_MAX:
    case ND_MIN:
        a = ev(c, n->a);
        b = ev(c, n->b);
        r.tv = tv_join(a.tv, b.tv);
        r.u = 0;
        if (r.tv == TV_U) {
            return uv_maxmin(n->kind, &a, &b);
        }
        r.lo = n->kind == ND_MAX ? qmax(a.lo, b.lo) : qmin(a.lo, b.lo);
        r.hi = n->kind == ND_MAX ? qmax(a.hi, b.hi) : qmin(a.hi, b.hi);
        return r;
    case ND_ADD_YEARS:
        a = ev(c, n->a);
        b = ev(c, n->b);
        if (a.tv != TV_OK || b.tv != TV_OK || b.lo.d != 1) {
            return v_unknown();
        }
        return v_num(q_int(add_years((Date)a.lo.n, (int64_t)b.lo.n)));
    case ND_END_OF_YEAR: {
        Date d;
        if (date_from_ymd(c->in->year + n->yoff, 12, 31, &d, NULL, NULL) != 0) {
            return v_unknown();
        }
        return v_num(q_int(d));
    }
    case ND_DAYS_BETWEEN:
        a = ev(c, n->a);
        b = ev(c, n->b);
        if (a.tv != TV_OK || b.tv != TV_OK) {
            return v_unknown();
        }
        return v_num(q_int((int64_t)(b.lo.n - a.lo.n)));
    case ND_BAND:
        return band(c, n);
    case ND_CASES:
        return cases(c, n);
    default:
        return v_unknown();
    }
}

/* Evaluate item i (once), recording its value and missing fields. */
static void eval_item(Ctx *c, int i)
{
    const Item *it = &c->rs->items[i];
    MissSet save_m = c->miss, save_z = c->zero;
    Val v = v_unknown();

    if (c->state[i] == 2) {
        return;
    }
    if (c->state[i] == 1) { /* a cycle through a group: unknown */
        c->vals[i] = v_unknown();
        return;
    }
    c->state[i] = 1;
    memset(&c->miss, 0, sizeof c->miss);
    memset(&c->zero, 0, sizeof c->zero);
    switch (it->kind) {
    case IT_LET:
    case IT_CHECK:
        v = ev(c, it->expr);
        break;
    case IT_SCORE:
        v = ev(c, it->expr);
        if (v.tv != TV_U && it->has_max) {
            v.hi = qmin(v.hi, it->max);
            v.lo = qmin(v.lo, it->max);
        } else if (it->has_max) {
            v = uv_clamp(v, it->max);
        }
        break;
    case IT_ALL:
    case IT_ANY: {
        int first = 1;
        for (int j = i + 1; j < c->rs->n_items; j++) {
            if (c->rs->items[j].parent != i) {
                continue;
            }
            eval_item(c, j);
            miss_or(&c->miss, &c->imiss[j]);
            miss_or(&c->zero, &c->izero[j]);
            v = first
                    ? c->vals[j]
                    : logic(it->kind == IT_ALL ? ND_AND : ND_OR, v, c->vals[j]);
            first = 0;
        }
        if (first) {
            v = v_bool(it->kind == IT_ALL);
        }
        break;
    }
    case IT_EXPERT: {
        const ExpertIn *x = NULL;
        for (int k = 0; k < c->in->n_ex; k++) {
            if (strcmp(c->in->ex[k].item, it->id) == 0) {
                x = &c->in->ex[k];
            }
        }
        v.tv = TV_OK;
        if (x && x->grade[0] == '\0') {
            v = v_num(q_int(x->score));
            if (it->has_max) {
                v.lo = v.hi = qmin(v.lo, it->max);
            }
            break;
        }
        for (int g = 0, any = 0; g < it->n_grades; g++) {
            if (x && strcmp(x->grade, it->grades[g].code) != 0) {
                continue;
            }
            if (!any) {
                v.lo = it->grades[g].lo;
                v.hi = it->grades[g].hi;
                any = 1;
            } else {
                v.lo = qmin(v.lo, it->grades[g].lo);
                v.hi = qmax(v.hi, it->grades[g].hi);
            }
        }
        break;
    }
    case IT_MANUAL:
        v = v_unknown();
        v.tv = TV_M;
        break;
    default:
        break;
    }
    c->vals[i] = v;
    c->imiss[i] = c->miss;
    c->izero[i] = c->zero;
    c->miss = save_m;
    c->zero = save_z;
    c->state[i] = 2;
}

/* ---- gaps ------------------------------------------------------------ */

/* Smallest integer value x' with x' OP t. */
static __int128 needed(int op, Q t)
{
    switch (op) {
    case CMP_GE:
        return q_ceil(t);
    case CMP_GT:
        return q_floor(t) + 1;
    case CMP_LE:
        return q_floor(t);
    case CMP_LT:
        return q_ceil(t) - 1;
    default:
        return q_ceil(t);
    }
}

static int flip(int op)
{
    switch (op) {
    case CMP_GE:
        return CMP_LE;
    case CMP_GT:
        return CMP_LT;
    case CMP_LE:
        return CMP_GE;
    case CMP_LT:
        return CMP_GT;
    default:
        return op;
    }
}

/* Append the change of the input behind x that makes x OP t hold, in the
 * input's unit. Returns 1 when a gap was written. Only shapes whose answer
 * is exact are solved: a field, a sum of a field over years (the change
 * goes to the latest year), a count, a score, such / a known divisor (the
 * divisor held constant) and such +/- a known term (the term held). */
static int solve(Ctx *c, const Node *x, int op, Q t, Buf *out)
{
    Val cur;
    __int128 nv;
    char label[256];
    int year = 0;

    if (op == CMP_EQ || op == CMP_NE) {
        return 0;
    }
    switch (x->kind) {
    case ND_DIV: {
        Val d = ev(c, x->b);
        Q t2;
        if (d.tv != TV_OK || q_cmp(d.lo, d.hi) != 0 || q_is_zero(d.lo) ||
            q_mul(t, d.lo, &t2)) {
            return 0;
        }
        return solve(c, x->a, d.lo.n < 0 ? flip(op) : op, t2, out);
    }
    case ND_ADD:
    case ND_SUB: {
        /* change the left operand, the right one held constant */
        Val k = ev(c, x->b);
        Q t2;
        if (k.tv != TV_OK || q_cmp(k.lo, k.hi) != 0 ||
            (x->kind == ND_ADD ? q_sub(t, k.lo, &t2) : q_add(t, k.lo, &t2))) {
            return 0;
        }
        return solve(c, x->a, op, t2, out);
    }
    case ND_FIELD:
    case ND_DERIVED:
    case ND_SUM:
    case ND_SCALAR:
    case ND_ITEM:
        break;
    default:
        return 0;
    }
    cur = ev(c, x);
    if (cur.tv != TV_OK) {
        return 0;
    }
    nv = needed(op, t);
    if (x->kind == ND_ITEM) {
        const Item *it = &c->rs->items[x->fid];
        __int128 d = nv - q_ceil(cur.hi);
        if (it->unit == UN_SCORE || it->unit == UN_NONE) {
            if (op == CMP_GE || op == CMP_GT) {
                d = nv - q_floor(cur.hi);
            }
            explain_gap(out, it->label[0] ? it->label : it->id, UN_SCORE, d, 0);
            return 1;
        }
        return 0;
    }
    if (q_cmp(cur.lo, cur.hi) != 0 || cur.lo.d != 1) {
        return 0;
    }
    if (x->kind == ND_SCALAR) {
        snprintf(label, sizeof label, "%s", rule_field_get(x->fid)->label);
    } else {
        const Node *ref = x->kind == ND_SUM ? x->a : x;
        int off = (x->kind == ND_SUM ? x->yoff2 : x->yoff) + c->yctx;
        year = c->in->year + off;
        snprintf(label, sizeof label, "%s",
                 ref->kind == ND_FIELD ? rule_field_get(ref->fid)->label
                                       : c->rs->derived[ref->fid].label);
    }
    explain_gap(out, label, x->kind == ND_SUM ? x->a->unit : x->unit,
                nv - cur.lo.n, year);
    return 1;
}

/* Gap for an unmet comparison item. */
static void gap_cmp(Ctx *c, const Node *n, Buf *out)
{
    Val r;
    if (!n || n->kind != ND_CMP) {
        return;
    }
    r = ev(c, n->b);
    if (r.tv != TV_OK || q_cmp(r.lo, r.hi) != 0) {
        return;
    }
    solve(c, n->a, n->op, r.lo, out);
}

/* Gap to the next better band of a band-scored item. */
static void gap_band(Ctx *c, const Node *n, const Val *score, Buf *out)
{
    Val s;
    const BandArm *best = NULL;
    if (!n || n->kind != ND_BAND || score->tv != TV_OK) {
        return;
    }
    s = ev(c, n->a);
    if (s.tv != TV_OK || q_cmp(s.lo, s.hi) != 0) {
        return;
    }
    for (int i = 0; i < n->n_arms; i++) {
        const BandArm *a = &n->arms[i];
        if (!a->has_lo || q_cmp(a->lo, s.lo) < 0 ||
            (q_cmp(a->lo, s.lo) == 0 && a->lo_incl)) {
            continue; /* not above the current value */
        }
        if (q_cmp(a->value->hi, score->hi) <= 0) {
            continue; /* no better */
        }
        if (!best || q_cmp(a->lo, best->lo) < 0) {
            best = a;
        }
    }
    if (best) {
        Buf g;
        buf_init(&g, 1024);
        if (solve(c, n->a, best->lo_incl ? CMP_GE : CMP_GT, best->lo, &g)) {
            buf_append_str(out, g.data);
            buf_appendf(out, "可得 ");
            Val v = {.tv = TV_OK, .lo = best->value->lo, .hi = best->value->hi};
            explain_value(out, &v, UN_SCORE);
        }
        buf_release(&g);
    }
}

/* ---- rows and verdict ------------------------------------------------ */

static char *bufdup(RuleResult *r, Buf *b)
{
    char *s = arena_strdup(&r->arena, b->data);
    buf_reset(b);
    return s ? s : (char *)"";
}

static int outcome_of(const Item *it, const Val *v, int alt)
{
    if (v->tv == TV_U) {
        return uv_outcome(v, alt);
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
    if (q_cmp(v->lo, v->hi) != 0) {
        return RULE_V_EXPERT;
    }
    return RULE_V_INFO;
}

static void add_row(Ctx *c, RuleResult *r, int i, Buf *b)
{
    const Item *it = &c->rs->items[i];
    const Val *v = &c->vals[i];
    RowOut *o = &r->rows[r->n_rows++];
    const Node *x = it->expr;

    o->item = i;
    o->row.id = it->id;
    o->row.label = it->label;
    o->row.depth = it->depth;
    o->row.outcome = outcome_of(it, v, c->alt[i]);
    /* actual */
    if (x && x->kind == ND_CMP) {
        Val a = ev(c, x->a), rq = ev(c, x->b);
        if (a.tv != TV_U) {
            explain_value_vs(b, &a, x->a->unit, &rq);
        } else if (uv_bounded(&a)) {
            explain_bounded(b, &a, x->a->unit);
        }
    } else if (it->kind == IT_CHECK && x &&
               (x->kind == ND_SCALAR ||
                (x->kind == ND_NOT && x->a->kind == ND_SCALAR))) {
        const Node *f = x->kind == ND_NOT ? x->a : x;
        Val a = ev(c, f);
        if (a.tv != TV_U) {
            explain_value(b, &a, UN_BOOL);
        }
    } else if (it->unit != UN_BOOL && v->tv != TV_U) {
        explain_value(b, v, it->unit);
    } else if (o->row.outcome == RULE_V_INFO && uv_na(v)) {
        MissSet none;
        memset(&none, 0, sizeof none);
        buf_append_str(b, "不适用：");
        explain_missing(b, &none, &c->izero[i], c->in->year);
    } else if (it->unit != UN_BOOL && uv_bounded(v)) {
        explain_bounded(b, v, it->unit);
    }
    o->row.actual = bufdup(r, b);
    /* required */
    if (x && x->kind == ND_CMP) {
        static const char *ops[] = {"", "<", "≤", ">", "≥", "=", "≠"};
        Val rq = ev(c, x->b);
        buf_appendf(b, "%s ", ops[x->op]);
        if (rq.tv != TV_U) {
            explain_value(b, &rq,
                          x->a->unit == UN_NONE ? x->b->unit : x->a->unit);
        } else {
            explain_node(b, x->b);
        }
    } else if (it->kind == IT_CHECK && x && x->kind == ND_NOT) {
        buf_append_str(b, "否");
    } else if (it->kind == IT_CHECK && x && x->kind == ND_SCALAR) {
        buf_append_str(b, "是");
    } else if (it->kind == IT_ALL) {
        buf_append_str(b, "全部满足");
    } else if (it->kind == IT_ANY) {
        buf_append_str(b, "满足其一");
    } else if (it->kind == IT_MANUAL) {
        buf_append_str(b, "需人工确认");
    } else if (it->has_max) {
        Val m = {.tv = TV_OK, .lo = it->max, .hi = it->max};
        buf_append_str(b, "满分 ");
        explain_value(b, &m, UN_SCORE);
    }
    o->row.required = bufdup(r, b);
    /* gap */
    if (o->row.outcome == RULE_V_UNMET) {
        gap_cmp(c, x, b);
    } else if (it->kind == IT_SCORE && o->row.outcome == RULE_V_INFO) {
        gap_band(c, x, v, b);
    }
    o->row.gap = bufdup(r, b);
    /* missing */
    if (o->row.outcome == RULE_V_UNKNOWN) {
        int ef = rule_field_find("established"), ey = 0;
        if (ef >= 0 && c->in->shas[ef]) {
            date_to_ymd((Date)c->in->sv[ef], &ey, NULL, NULL);
        }
        explain_missing_est(b, &c->imiss[i], &c->izero[i], c->in->year, ey);
    }
    o->row.missing = bufdup(r, b);
    /* read but not filled in, yet this row is decided without it */
    if (o->row.outcome != RULE_V_UNKNOWN && miss_any(&c->imiss[i])) {
        MissSet none;
        memset(&none, 0, sizeof none);
        explain_missing(b, &c->imiss[i], &none, c->in->year);
    }
    o->row.moot = bufdup(r, b);
}

/* ---- unfixable criteria, manual questions, paths ------------------------ */

/* Facts an enterprise cannot change by improving: when every input of an
 * unmet condition is one of these, no gap can meet it. */
static int fixed_field(int bit)
{
    static const char *names[] = {"established", "abnormal_list",
                                  "serious_illegal", "dishonest", "incident"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        int f = rule_field_find(names[k]);
        if (f >= RULE_N_YEARLY && bit == MISS_SCALAR_BASE + f) {
            return 1;
        }
    }
    return 0;
}

/* 1 when the inputs expr reads are all fixed facts (and there are some);
 * refs gets them. */
static int reads_only_facts(Ctx *c, const Node *expr, MissSet *refs)
{
    int any = 0;
    memset(refs, 0, sizeof *refs);
    collect_refs(c, expr, 0, refs, 0);
    for (int i = 0; i < MISS_WORDS * 64; i++) {
        if ((refs->w[i / 64] >> (i % 64)) & 1) {
            if (!fixed_field(i)) {
                return 0;
            }
            any = 1;
        }
    }
    return any;
}

/* Does n refer to item i? */
static int refers_to(const Node *n, int i, int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return 0;
    }
    if (n->kind == ND_ITEM && n->fid == i) {
        return 1;
    }
    if (refers_to(n->a, i, depth + 1) || refers_to(n->b, i, depth + 1)) {
        return 1;
    }
    for (int k = 0; k < n->n_arms; k++) {
        if (refers_to(n->arms[k].cond, i, depth + 1)) {
            return 1;
        }
    }
    return 0;
}

/* Is manual item i what keeps some result pending (so its question
 * applies to this enterprise)? */
static int question_applies(Ctx *c, const Val *pass, int i)
{
    const RuleSet *rs = c->rs;
    int g = rs->items[i].parent;
    if (g >= 0 && c->vals[g].tv == TV_M) {
        return 1;
    }
    for (int j = 0; j < rs->n_items; j++) {
        if (j != i && c->vals[j].tv == TV_M &&
            refers_to(rs->items[j].expr, i, 0)) {
            return 1;
        }
    }
    return pass->tv == TV_M && refers_to(rs->pass, i, 0);
}

/* The labels of what made n true: the alternative taken at each `or`
 * (under_or: n is one), the members met of an `any` group. Returns 1 when
 * n offers alternatives. */
static int path_of(Ctx *c, const Node *n, Buf *b, int under_or, int depth)
{
    Val v;
    if (!n || depth > RULES_MAX_DEPTH) {
        return 0;
    }
    switch (n->kind) {
    case ND_OR:
        v = ev(c, n->a);
        path_of(c, is_true(&v) ? n->a : n->b, b, 1, depth + 1);
        return 1;
    case ND_AND:
        return path_of(c, n->a, b, under_or, depth + 1) |
               path_of(c, n->b, b, under_or, depth + 1);
    case ND_ITEM: {
        const Item *it = &c->rs->items[n->fid];
        if (it->kind == IT_ANY) {
            int first = 1;
            if (b->len) {
                buf_append_str(b, "；");
            }
            buf_appendf(b, "%s：", it->label[0] ? it->label : it->id);
            for (int j = n->fid + 1; j < c->rs->n_items; j++) {
                const Item *m = &c->rs->items[j];
                if (m->parent == n->fid && is_true(&c->vals[j])) {
                    buf_appendf(b, "%s%s", first ? "" : "、",
                                m->label[0] ? m->label : m->id);
                    first = 0;
                }
            }
            return 1;
        }
        if (under_or) {
            if (b->len) {
                buf_append_str(b, "；");
            }
            buf_append_str(b, it->label[0] ? it->label : it->id);
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* Contradictory inputs: a part larger than its whole in the same year. */
static void add_conflicts(Ctx *c, RuleResult *r, Buf *b)
{
    static const char *pairs[][2] = {{"tech_staff", "employees"},
                                     {"rd_staff", "employees"},
                                     {"rd_domestic", "rd_expense"},
                                     {"main_revenue", "sales_revenue"},
                                     {"hitech_income", "total_revenue"}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        int part = rule_field_find(pairs[p][0]);
        int whole = rule_field_find(pairs[p][1]);
        for (int s = 0; s < RULE_YEARS; s++) {
            RowOut *o;
            int year = c->in->year - (RULE_YEARS - 1) + s;
            /* read in every year, present or not: filling one in may
             * make a contradiction */
            miss_set(&c->read, part * RULE_YEARS + s);
            miss_set(&c->read, whole * RULE_YEARS + s);
            if (!c->in->yhas[part][s] || !c->in->yhas[whole][s] ||
                c->in->yv[part][s] <= c->in->yv[whole][s]) {
                continue;
            }
            o = &r->rows[r->n_rows++];
            o->item = -1;
            o->row.id = "conflict";
            buf_appendf(b, "数据矛盾：%d年%s大于%s", year,
                        rule_field_get(part)->label,
                        rule_field_get(whole)->label);
            o->row.label = bufdup(r, b);
            o->row.outcome = RULE_V_CONFLICT;
            o->row.actual = o->row.required = o->row.gap = o->row.moot = "";
            buf_appendf(b, "%s[%d]、%s[%d]", rule_field_get(part)->label, year,
                        rule_field_get(whole)->label, year);
            o->row.missing = bufdup(r, b);
            r->verdict = RULE_V_CONFLICT;
        }
    }
}

/* Row flags: alternatives, questions (idle where they do not arise), and
 * unmet criteria that no
 * improvement can meet (groups from their members: an `all` with such a
 * member, an `any` whose members all are), which say so as their gap. */
static void mark_rows(Ctx *c, RuleResult *r, const Val *pass, Buf *b)
{
    const RuleSet *rs = c->rs;
    int n = rs->n_items;
    uint8_t *unfix = xcalloc((size_t)n + 1, 1);
    MissSet *refs = xcalloc((size_t)n + 1, sizeof *refs);
    for (int i = n - 1; i >= 0; i--) {
        const Item *it = &rs->items[i];
        const Val *v = &c->vals[i];
        int members = 0, fixed = 0;
        if (v->tv != TV_OK || it->unit != UN_BOOL || v->lo.n != 0) {
            continue; /* not unmet */
        }
        if (it->kind != IT_ALL && it->kind != IT_ANY) {
            unfix[i] = (uint8_t)reads_only_facts(c, it->expr, &refs[i]);
            continue;
        }
        for (int j = i + 1; j < n; j++) {
            if (rs->items[j].parent == i) {
                members++;
                fixed += unfix[j];
            }
        }
        unfix[i] =
            (uint8_t)(it->kind == IT_ALL ? fixed > 0
                                         : members > 0 && fixed == members);
    }
    for (int k = 0; k < r->n_rows; k++) {
        RowOut *o = &r->rows[k];
        const Item *it;
        o->row.alternatives = o->row.unfixable = o->row.question = 0;
        o->row.idle = 0;
        if (o->item < 0) {
            continue;
        }
        it = &rs->items[o->item];
        o->row.alternatives = it->kind == IT_ANY;
        if (it->kind == IT_MANUAL) {
            /* its question arises only where it keeps something pending */
            o->row.question = question_applies(c, pass, o->item);
            o->row.idle = !o->row.question;
        }
        if (o->row.outcome == RULE_V_UNMET && unfix[o->item]) {
            o->row.unfixable = 1;
            if (it->kind != IT_ALL && it->kind != IT_ANY) {
                MissSet none;
                memset(&none, 0, sizeof none);
                buf_append_str(b, "无法通过改进满足（取决于");
                explain_missing(b, &refs[o->item], &none, c->in->year);
                buf_append_str(b, "）");
                o->row.gap = bufdup(r, b);
            }
        }
    }
    free(unfix);
    free(refs);
}

int rule_eval(const RuleSet *rs, const RuleInput *in, RuleResult **out, Err *e)
{
    char hash[65];

    rule_input_hash(in, hash);
    return rule_eval_hashed(rs, in, hash, out, e);
}

int rule_eval_hashed(const RuleSet *rs, const RuleInput *in,
                     const char hash[65], RuleResult **out, Err *e)
{
    RuleResult *r = xcalloc(1, sizeof *r);
    Ctx c;
    MissSet pass_miss;
    Buf b;
    int n = rs->n_items;

    memset(&c, 0, sizeof c);
    arena_init(&r->arena, 0);
    buf_init(&b, (size_t)64 * 1024);
    r->rs = rs;
    r->year = in->year;
    r->asof = in->asof;
    memcpy(r->input_hash, hash, sizeof r->input_hash);
    c.rs = rs;
    c.in = in;
    c.vals = xcalloc((size_t)n + 1, sizeof *c.vals);
    c.imiss = xcalloc((size_t)n + 1, sizeof *c.imiss);
    c.izero = xcalloc((size_t)n + 1, sizeof *c.izero);
    c.state = xcalloc((size_t)n + 1, 1);
    c.alt = xcalloc((size_t)n + 1, 1);
    uv_alt_arms(rs, c.alt);
    for (int i = 0; i < n; i++) {
        eval_item(&c, i);
    }
    r->pass = ev(&c, rs->pass);
    pass_miss = c.miss;
    if (rs->total) {
        Val t = ev(&c, rs->total);
        if (t.tv != TV_U) {
            r->has_total = 1;
            r->total_lo = (int64_t)q_floor(t.lo);
            r->total_hi = (int64_t)q_ceil(t.hi);
        }
    }
    r->verdict = r->pass.tv == TV_U   ? RULE_V_UNKNOWN
                 : r->pass.tv == TV_M ? RULE_V_MANUAL
                 : r->pass.tv == TV_E ? RULE_V_EXPERT
                 : r->pass.lo.n       ? RULE_V_MET
                                      : RULE_V_UNMET;
    r->rows = arena_alloc(
        &r->arena, sizeof(RowOut) * ((size_t)n + (size_t)5 * RULE_YEARS + 1));
    if (!r->rows) {
        abort();
    }
    /* what the criteria read, before the contradiction check adds its
     * pairs (the rows re-read the same nodes for their text) */
    r->read_crit = c.read;
    add_conflicts(&c, r, &b);
    r->read = c.read;
    if (r->verdict != RULE_V_UNKNOWN && r->verdict != RULE_V_CONFLICT &&
        miss_any(&pass_miss)) {
        MissSet none;
        memset(&none, 0, sizeof none);
        explain_missing(&b, &pass_miss, &none, in->year);
    }
    r->moot = bufdup(r, &b);
    if (r->verdict == RULE_V_MET && path_of(&c, rs->pass, &b, 0, 0)) {
        r->path = bufdup(r, &b);
    } else {
        buf_reset(&b);
        r->path = "";
    }
    for (int i = 0; i < n; i++) {
        if (rs->items[i].kind == IT_LET && rs->items[i].label[0] == '\0') {
            continue;
        }
        add_row(&c, r, i, &b);
    }
    mark_rows(&c, r, &r->pass, &b);
    r->vals = arena_alloc(&r->arena, sizeof(Val) * ((size_t)n + 1));
    if (!r->vals) {
        abort();
    }
    memcpy(r->vals, c.vals, sizeof(Val) * (size_t)n);
    buf_release(&b);
    free(c.vals);
    free(c.imiss);
    free(c.izero);
    free(c.state);
    free(c.alt);
    *out = r;
    (void)e;
    return 0;
}

void rule_result_free(RuleResult *r)
{
    if (!r) {
        return;
    }
    arena_release(&r->arena);
    free(r);
}

int rule_result_verdict(const RuleResult *r)
{
    return r->verdict;
}

int rule_result_total(const RuleResult *r, int64_t *lo, int64_t *hi)
{
    *lo = r->has_total ? r->total_lo : 0;
    *hi = r->has_total ? r->total_hi : 0;
    return r->has_total;
}

int rule_result_n_rows(const RuleResult *r)
{
    return r->n_rows;
}

void rule_result_row(const RuleResult *r, int i, RuleRow *row)
{
    *row = r->rows[i].row;
}

const char *rule_result_ruleset_hash(const RuleResult *r)
{
    return r->rs->hash_hex;
}

const char *rule_result_input_hash(const RuleResult *r)
{
    return r->input_hash;
}

const char *rule_result_path(const RuleResult *r)
{
    return r->path ? r->path : "";
}

const char *rule_result_moot(const RuleResult *r)
{
    return r->moot ? r->moot : "";
}

int rule_result_reads(const RuleResult *r, Buf *out)
{
    MissSet none;
    memset(&none, 0, sizeof none);
    explain_missing(out, &r->read_crit, &none, r->year);
    return out->err;
}

int rule_result_read(const RuleResult *r, int field, int year)
{
    const RuleField *f = rule_field_get(field);
    int bit;
    if (!f) {
        return 0;
    }
    if (f->kind == RF_YEARLY) {
        int s = year - (r->year - (RULE_YEARS - 1));
        if (s < 0 || s >= RULE_YEARS) {
            return 0;
        }
        bit = field * RULE_YEARS + s;
    } else {
        bit = MISS_SCALAR_BASE + field;
    }
    return (int)((r->read.w[bit / 64] >> (bit % 64)) & 1);
}
