/* test_batch.c - the columnar evaluator gives exactly rule_eval()'s
 * verdict, score range and item outcomes: on every embedded case of every
 * official rule set, and on thousands of random and perturbed inputs per
 * rule set (missing fields, zero divisors, exact band-boundary ties,
 * negative values, contradictory parts, short operating histories,
 * values too large for 64-bit products), evaluated as one columnar batch
 * over several blocks and two threads. The verdict-only fast path (no
 * item outcomes, no counts; with and without the score range) must give
 * the same verdicts, score ranges and conflict counts — with the AVX2
 * kernels where the processor has them, and with the baseline ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "rules/ast.h"
#include "rules/batch.h"
#include "rules/embedded.h"
#include "rules/eval.h"
#include "rules/rules.h"

static RuleSet *load(int i)
{
    RuleSet *rs = NULL;
    Err e;
    if (rule_set_parse(kc_rule_files[i].path, *kc_rule_files[i].data,
                       *kc_rule_files[i].len, &rs, &e) != 0) {
        fail_msg("%s", e.msg);
    }
    return rs;
}

/* The input of embedded case k without its expert judgements (batch
 * inputs carry none). */
static RuleInput *case_input(const RuleSet *rs, int k)
{
    const Case *c = &rs->cases[k];
    Date asof = c->has_asof ? c->asof : 0;
    RuleInput *in;
    Err e;
    if (!c->has_asof) {
        assert_int_equal(date_from_ymd(c->year, 12, 31, &asof, NULL, NULL), 0);
    }
    in = rule_input_new(c->year, asof);
    for (int s = 0; s < c->n_sets; s++) {
        const CaseSet *cs = &c->sets[s];
        if (cs->fid < 0) {
            continue;
        }
        if (rule_field_get(cs->fid)->kind == RF_YEARLY) {
            assert_int_equal(
                rule_input_set_year(in, cs->fid, cs->year, cs->v, &e), 0);
        } else {
            assert_int_equal(rule_input_set(in, cs->fid, cs->v, &e), 0);
        }
    }
    return in;
}

/* Columns for n inputs that share year and as-of date. */
typedef struct Cols {
    BatchInput bi;
    int64_t *yv[RULE_N_YEARLY][RULE_YEARS];
    uint8_t *yh[RULE_N_YEARLY][RULE_YEARS];
    int64_t *sv[RULE_MAX_FIELDS];
    uint8_t *sh[RULE_MAX_FIELDS];
    int64_t *shi[RULE_MAX_FIELDS];
} Cols;

static void cols_build(Cols *c, RuleInput **ins, size_t n)
{
    memset(c, 0, sizeof *c);
    c->bi.n = n;
    c->bi.year = ins[0]->year;
    c->bi.asof = ins[0]->asof;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            c->yv[f][s] = xcalloc(n, sizeof(int64_t));
            c->yh[f][s] = xcalloc(n, 1);
            for (size_t i = 0; i < n; i++) {
                c->yv[f][s][i] = ins[i]->yv[f][s];
                c->yh[f][s][i] = ins[i]->yhas[f][s];
            }
            c->bi.yv[f][s] = c->yv[f][s];
            c->bi.yhas[f][s] = c->yh[f][s];
        }
    }
    for (int f = RULE_N_YEARLY; f < rule_field_count(); f++) {
        c->sv[f] = xcalloc(n, sizeof(int64_t));
        c->sh[f] = xcalloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            c->sv[f][i] = ins[i]->sv[f];
            c->sh[f][i] = ins[i]->shas[f];
        }
        c->bi.sv[f] = c->sv[f];
        c->bi.shas[f] = c->sh[f];
        if (rule_field_get(f)->bounded) {
            c->shi[f] = xcalloc(n, sizeof(int64_t));
            for (size_t i = 0; i < n; i++) {
                c->shi[f][i] = ins[i]->shi[f];
            }
            c->bi.shi[f] = c->shi[f];
        }
    }
}

static void cols_free(Cols *c)
{
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            free(c->yv[f][s]);
            free(c->yh[f][s]);
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        free(c->sv[f]);
        free(c->sh[f]);
        free(c->shi[f]);
    }
}

typedef struct Outs {
    BatchOut o;
    int n_items;
} Outs;

static void outs_init(Outs *x, const BatchProg *p, size_t n)
{
    memset(x, 0, sizeof *x);
    x->n_items = batch_n_items(p);
    x->o.verdict = xcalloc(n, 1);
    x->o.has_total = xcalloc(n, 1);
    x->o.total_lo = xcalloc(n, sizeof(int64_t));
    x->o.total_hi = xcalloc(n, sizeof(int64_t));
    x->o.n_unmet = xcalloc(n, sizeof(uint16_t));
    x->o.n_unknown = xcalloc(n, sizeof(uint16_t));
    x->o.n_conflicts = xcalloc(n, 1);
    x->o.item_outcome = xcalloc((size_t)x->n_items, sizeof(uint8_t *));
    for (int i = 0; i < x->n_items; i++) {
        x->o.item_outcome[i] = xcalloc(n, 1);
    }
    x->o.exact = 1; /* the full path, checked against rule_eval() */
    x->o.split = 1; /* two threads even on the few rows of a test */
}

static void outs_free(Outs *x)
{
    free(x->o.verdict);
    free(x->o.has_total);
    free(x->o.total_lo);
    free(x->o.total_hi);
    free(x->o.n_unmet);
    free(x->o.n_unknown);
    free(x->o.n_conflicts);
    for (int i = 0; i < x->n_items; i++) {
        free(x->o.item_outcome[i]);
    }
    free(x->o.item_outcome);
}

/* Row i of the batch result equals rule_eval(in). Returns the verdict. */
static int check_row(const RuleSet *rs, const RuleInput *in, const Outs *x,
                     size_t i, const char *what)
{
    RuleResult *r = NULL;
    Err e;
    int64_t lo, hi;
    int has, nu = 0, nk = 0, nc = 0;

    assert_int_equal(rule_eval(rs, in, &r, &e), 0);
    has = rule_result_total(r, &lo, &hi);
    if (x->o.verdict[i] != rule_result_verdict(r) || x->o.has_total[i] != has ||
        x->o.total_lo[i] != lo || x->o.total_hi[i] != hi) {
        fail_msg("%s %s row %zu: batch %d %lld..%lld, rule_eval %d %lld..%lld",
                 rule_set_id(rs), what, i, x->o.verdict[i],
                 (long long)x->o.total_lo[i], (long long)x->o.total_hi[i],
                 rule_result_verdict(r), (long long)lo, (long long)hi);
    }
    for (int k = 0; k < rule_result_n_rows(r); k++) {
        int item = r->rows[k].item;
        int o = r->rows[k].row.outcome;
        if (item < 0) {
            nc++; /* a conflict row */
            continue;
        }
        nu += o == RULE_V_UNMET;
        nk += o == RULE_V_UNKNOWN;
        if (x->o.item_outcome[item][i] != o) {
            fail_msg("%s %s row %zu item %s: batch %d, rule_eval %d",
                     rule_set_id(rs), what, i, rs->items[item].id,
                     x->o.item_outcome[item][i], o);
        }
    }
    assert_int_equal(x->o.n_unmet[i], nu);
    assert_int_equal(x->o.n_unknown[i], nk);
    assert_int_equal(x->o.n_conflicts[i], nc > 255 ? 255 : nc);
    has = rule_result_verdict(r);
    rule_result_free(r);
    return has;
}

/* The fast path over the same input equal to the full path's x: the
 * verdict alone (mode 0); with score range and conflict counts (1); with
 * those, every item's outcome and the unmet / unknown counts (2), as a
 * screening stores them. */
static void check_fast_isa(const BatchProg *p, const BatchInput *bi,
                           const Outs *x, int threads, int mode, int baseline,
                           const char *what)
{
    size_t n = bi->n;
    int n_items = batch_n_items(p);
    BatchOut f;
    Err e;
    memset(&f, 0, sizeof f);
    f.baseline = baseline;
    f.split = 1;
    f.verdict = xcalloc(n, 1);
    if (mode >= 1) {
        f.has_total = xcalloc(n, 1);
        f.total_lo = xcalloc(n, sizeof(int64_t));
        f.total_hi = xcalloc(n, sizeof(int64_t));
        f.n_conflicts = xcalloc(n, 1);
    }
    if (mode == 2) {
        f.n_unmet = xcalloc(n, sizeof(uint16_t));
        f.n_unknown = xcalloc(n, sizeof(uint16_t));
        f.item_outcome = xcalloc((size_t)n_items, sizeof(uint8_t *));
        for (int i = 0; i < n_items; i++) {
            f.item_outcome[i] = xcalloc(n, 1);
        }
    }
    assert_int_equal(batch_eval(p, bi, &f, threads, &e), 0);
    for (size_t i = 0; i < n; i++) {
        if (f.verdict[i] != x->o.verdict[i] ||
            (mode >= 1 && (f.has_total[i] != x->o.has_total[i] ||
                           f.total_lo[i] != x->o.total_lo[i] ||
                           f.total_hi[i] != x->o.total_hi[i] ||
                           f.n_conflicts[i] != x->o.n_conflicts[i]))) {
            fail_msg("fast path %s row %zu: %d %lld..%lld, full %d %lld..%lld",
                     what, i, f.verdict[i],
                     mode ? (long long)f.total_lo[i] : 0LL,
                     mode ? (long long)f.total_hi[i] : 0LL, x->o.verdict[i],
                     (long long)x->o.total_lo[i], (long long)x->o.total_hi[i]);
        }
        if (mode < 2) {
            continue;
        }
        if (f.n_unmet[i] != x->o.n_unmet[i] ||
            f.n_unknown[i] != x->o.n_unknown[i]) {
            fail_msg("fast path %s row %zu: unmet %d unknown %d, full %d %d",
                     what, i, f.n_unmet[i], f.n_unknown[i], x->o.n_unmet[i],
                     x->o.n_unknown[i]);
        }
        for (int k = 0; k < n_items; k++) {
            if (f.item_outcome[k][i] != x->o.item_outcome[k][i]) {
                fail_msg("fast path %s row %zu item %d: %d, full %d", what, i,
                         k, f.item_outcome[k][i], x->o.item_outcome[k][i]);
            }
        }
    }
    free(f.verdict);
    free(f.has_total);
    free(f.total_lo);
    free(f.total_hi);
    free(f.n_conflicts);
    free(f.n_unmet);
    free(f.n_unknown);
    for (int i = 0; f.item_outcome && i < n_items; i++) {
        free(f.item_outcome[i]);
    }
    free(f.item_outcome);
}

/* The fast path's kernels this processor runs (AVX2 where it has it), and
 * the baseline ones, each against the full path. */
static void check_fast(const BatchProg *p, const BatchInput *bi, const Outs *x,
                       int threads, int mode, const char *what)
{
    check_fast_isa(p, bi, x, threads, mode, 0, what);
    if (strcmp(batch_isa(), "AVX2") == 0) {
        char w[200];
        snprintf(w, sizeof w, "%s, baseline kernels", what);
        check_fast_isa(p, bi, x, threads, mode, 1, w);
    }
}

static void test_embedded_cases(void **state)
{
    int n_cases = 0;
    (void)state;
    for (int f = 0; f < kc_n_rule_files; f++) {
        RuleSet *rs = load(f);
        BatchProg *p = NULL;
        Err e;
        assert_int_equal(batch_compile(rs, &p, &e), 0);
        for (int k = 0; k < rule_set_n_cases(rs); k++) {
            RuleInput *in = case_input(rs, k);
            BatchInput bi;
            Outs x;
            batch_input_from_rule_input(in, &bi);
            outs_init(&x, p, 1);
            assert_int_equal(batch_eval(p, &bi, &x.o, 1, &e), 0);
            check_row(rs, in, &x, 0, rule_set_case_name(rs, k));
            check_fast(p, &bi, &x, 1, 2, rule_set_case_name(rs, k));
            check_fast(p, &bi, &x, 1, 1, rule_set_case_name(rs, k));
            check_fast(p, &bi, &x, 1, 0, rule_set_case_name(rs, k));
            outs_free(&x);
            rule_input_free(in);
            n_cases++;
        }
        batch_free(p);
        rule_set_free(rs);
    }
    assert_true(n_cases >= 50);
}

/* ---- random and perturbed inputs ---------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t pick(const int64_t *xs, size_t n)
{
    return xs[rnd() % n];
}

/* A value too large for the fast path's 64-bit arithmetic (sums,
 * products, growth's one-denominator form), or at the edge of it. */
static int64_t huge_value(void)
{
    static const int64_t v[] = {INT64_MAX,
                                INT64_MIN,
                                INT64_MIN + 1,
                                INT64_MAX / 2 + 1,
                                -(INT64_MAX / 2) - 1,
                                3037000499,
                                3037000500,
                                (int64_t)1 << 31,
                                ((int64_t)1 << 40) - 1,
                                (int64_t)1 << 40,
                                -((int64_t)1 << 40) + 1,
                                (int64_t)1 << 62};
    return pick(v, sizeof v / sizeof v[0]);
}

/* A value for a whole (denominator) field. */
static int64_t whole_value(void)
{
    static const int64_t v[] = {
        0,         1,         3,         7,         10,        20,
        50,        100,       200,       500,       501,       1000,
        4000000,   5000000,   10000000,  45000000,  50000000,  50000001,
        100000000, 199999999, 200000000, 200000001, 400000000, -5000000};
    int64_t x = pick(v, sizeof v / sizeof v[0]);
    if (rnd() % 4 == 0) {
        x += (int64_t)(rnd() % 2001) - 1000;
    }
    return x;
}

/* A part of `whole` at a band boundary (exact), just off it, or random. */
static int64_t part_value(int64_t whole)
{
    static const int64_t pct[] = {0,  2,  3,  4,  5,  6,  9,  10, 15,  20,
                                  25, 30, 35, 40, 50, 60, 61, 90, 100, 120};
    int64_t p = pick(pct, sizeof pct / sizeof pct[0]);
    /* whole may be a huge value: compute wide, clamp to the int64 range */
    __int128 w = (__int128)(whole / 100) * p + (whole % 100) * p / 100;
    int64_t x = w > INT64_MAX - 1   ? INT64_MAX - 1
                : w < INT64_MIN + 1 ? INT64_MIN + 1
                                    : (int64_t)w;
    switch (rnd() % 6) {
    case 0:
        return x + 1;
    case 1:
        return x - 1;
    case 2:
        return (int64_t)(rnd() % 100000);
    default:
        return x;
    }
}

/* Perturb a case input: each yearly value kept, dropped, zeroed, moved to
 * a boundary of its whole, or replaced; scalars toggled or dropped. */
static void perturb(RuleInput *in, const RuleInput *base)
{
    static const char *parts[][2] = {{"tech_staff", "employees"},
                                     {"rd_staff", "employees"},
                                     {"rd_expense", "sales_revenue"},
                                     {"rd_domestic", "rd_expense"},
                                     {"hitech_income", "total_revenue"},
                                     {"main_revenue", "sales_revenue"},
                                     {"total_liabilities", "total_assets"},
                                     {"net_profit", "sales_revenue"},
                                     {"tax_paid", "sales_revenue"},
                                     {"rd_expense", "total_cost"}};
    *in = *base;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            unsigned k = (unsigned)(rnd() % 10);
            if (k == 0) {
                in->yhas[f][s] = 0;
            } else if (k == 1) {
                in->yhas[f][s] = 1;
                in->yv[f][s] = 0;
            } else if (k <= 4) {
                in->yhas[f][s] = 1;
                in->yv[f][s] = whole_value();
            } else if (k == 5 && !in->yhas[f][s] && s >= RULE_YEARS - 4) {
                in->yhas[f][s] = 1;
                in->yv[f][s] = whole_value();
            } else if (k == 6 && rnd() % 8 == 0) {
                in->yhas[f][s] = 1;
                in->yv[f][s] = huge_value();
            }
        }
    }
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        int a = rule_field_find(parts[p][0]), b = rule_field_find(parts[p][1]);
        for (int s = 0; s < RULE_YEARS; s++) {
            if (in->yhas[b][s] && rnd() % 2 == 0) {
                in->yhas[a][s] = 1;
                in->yv[a][s] = part_value(in->yv[b][s]);
            }
        }
    }
    for (int f = RULE_N_YEARLY; f < rule_field_count(); f++) {
        const RuleField *rf = rule_field_get(f);
        unsigned k = (unsigned)(rnd() % 8);
        if (k == 0) {
            in->shas[f] = 0;
        } else if (k == 1 && rf->unit == UN_BOOL) {
            in->shas[f] = 1;
            in->sv[f] = !in->sv[f];
        } else if (k == 2 && rf->unit == UN_ITEM) {
            in->shas[f] = 1;
            in->sv[f] = (int64_t)(rnd() % 7);
        } else if (k == 3 && rf->unit == UN_DATE) {
            /* established within the window: short operating histories */
            Date d;
            int y = in->year - (int)(rnd() % 6);
            assert_int_equal(date_from_ymd(y, 1 + (int)(rnd() % 12),
                                           1 + (int)(rnd() % 28), &d, NULL,
                                           NULL),
                             0);
            in->shas[f] = 1;
            in->sv[f] = d;
        } else if (k == 4 && rf->unit != UN_BOOL && rf->unit != UN_DATE) {
            in->shas[f] = 1;
            in->sv[f] = rnd() % 16 == 0 ? huge_value() : whole_value();
        } else if (k >= 5 && rf->bounded) {
            /* a count with blank flags: unknown within [lo, hi] */
            in->shas[f] = 0;
            in->sv[f] = (int64_t)(rnd() % 4);
            in->shi[f] = in->sv[f] + 1 + (int64_t)(rnd() % 3);
        }
    }
    in->n_ex = 0;
}

/* A light perturbation: the case input with one or two changes (a short
 * operating history, one yearly value, one scalar), so that rows stay
 * near the case's verdict and reach the states a heavy perturbation
 * rarely leaves undecided (e.g. 待人工确认 from a short history alone). */
static void perturb_one(RuleInput *in, const RuleInput *base)
{
    int est = rule_field_find("established");
    unsigned what = (unsigned)(rnd() % 4);
    *in = *base;
    if ((what == 0 || what == 3) && est >= 0) {
        Date d;
        int y = in->year - (int)(rnd() % 5);
        assert_int_equal(date_from_ymd(y, 1 + (int)(rnd() % 12),
                                       1 + (int)(rnd() % 28), &d, NULL, NULL),
                         0);
        in->shas[est] = 1;
        in->sv[est] = d;
    }
    if (what == 1 || what == 3) {
        int f = (int)(rnd() % RULE_N_YEARLY);
        int s = RULE_YEARS - 1 - (int)(rnd() % 4);
        switch (rnd() % 5) {
        case 0:
            in->yhas[f][s] = 0;
            break;
        case 1:
            in->yhas[f][s] = 1;
            in->yv[f][s] = 0;
            break;
        case 2:
            in->yhas[f][s] = 1;
            in->yv[f][s] = huge_value();
            break;
        default:
            in->yhas[f][s] = 1;
            in->yv[f][s] = whole_value();
            break;
        }
    }
    if (what == 2) {
        int f = RULE_N_YEARLY +
                (int)(rnd() % (uint64_t)(rule_field_count() - RULE_N_YEARLY));
        if (rnd() % 2) {
            in->shas[f] = 0;
        } else {
            in->shas[f] = 1;
            in->sv[f] = !in->sv[f];
        }
    }
    in->n_ex = 0;
}

static void test_random_inputs(void **state)
{
    enum { PER_CASE = 400, MAX_ROWS = 6000 };
    long total = 0;
    int verdicts[8] = {0}, n_fast = 0;
    (void)state;
    for (int f = 0; f < kc_n_rule_files; f++) {
        RuleSet *rs = load(f);
        BatchProg *p = NULL;
        Err e;
        int nc = rule_set_n_cases(rs);
        size_t n = (size_t)nc * PER_CASE;
        RuleInput **ins;
        RuleInput *base;
        Cols cols;
        Outs x;

        assert_int_equal(batch_compile(rs, &p, &e), 0);
        if (n > MAX_ROWS) {
            n = MAX_ROWS;
        }
        if (n < 1000) {
            n = 1000;
        }
        /* one batch shares year and as-of date: that of case 0 */
        base = nc > 0 ? case_input(rs, 0) : rule_input_new(2023, 0);
        ins = xcalloc(n, sizeof *ins);
        for (size_t i = 0; i < n; i++) {
            RuleInput *src = nc > 0 ? case_input(rs, (int)(i % (size_t)nc))
                                    : rule_input_clone(base);
            src->year = base->year;
            src->asof = base->asof;
            ins[i] = rule_input_clone(base);
            if (i % 10 == 0) {
                *ins[i] = *src; /* some rows unchanged */
                ins[i]->n_ex = 0;
            } else if (i % 10 <= 4) {
                perturb_one(ins[i], src);
            } else {
                perturb(ins[i], src);
            }
            rule_input_free(src);
        }
        cols_build(&cols, ins, n);
        outs_init(&x, p, n);
        assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
        for (size_t i = 0; i < n; i++) {
            int v = check_row(rs, ins[i], &x, i, "random");
            verdicts[v & 7]++;
        }
        check_fast(p, &cols.bi, &x, 2, 2, "random");
        check_fast(p, &cols.bi, &x, 2, 1, "random");
        check_fast(p, &cols.bi, &x, 2, 0, "random");
        check_fast(p, &cols.bi, &x, 1, 0, "random, one thread");
        /* conflict rows counted once beforehand (as the snapshot does)
         * change nothing, on either path */
        {
            uint8_t *given = xcalloc(n + 1, 1);
            Outs y;
            batch_count_conflicts(&cols.bi, given);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(given[i], x.o.n_conflicts[i]);
            }
            cols.bi.n_conflicts = given;
            check_fast(p, &cols.bi, &x, 2, 2, "random, conflicts given");
            outs_init(&y, p, n);
            assert_int_equal(batch_eval(p, &cols.bi, &y.o, 2, &e), 0);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(y.o.verdict[i], x.o.verdict[i]);
                assert_int_equal(y.o.n_conflicts[i], x.o.n_conflicts[i]);
            }
            outs_free(&y);
            cols.bi.n_conflicts = NULL;
            free(given);
        }
        /* scalar columns of one byte per row (BatchInput.sv8, as a
         * snapshot keeps its small-valued fields) give the same results
         * on the fast and the exact path */
        {
            int8_t *narrow[RULE_MAX_FIELDS] = {0};
            int n8 = 0;
            Outs y;
            for (int fd = RULE_N_YEARLY; fd < rule_field_count(); fd++) {
                int fits = cols.sv[fd] != NULL;
                for (size_t i = 0; fits && i < n; i++) {
                    fits = cols.sv[fd][i] >= INT8_MIN &&
                           cols.sv[fd][i] <= INT8_MAX;
                }
                if (!fits) {
                    continue;
                }
                narrow[fd] = xcalloc(n, 1);
                for (size_t i = 0; i < n; i++) {
                    narrow[fd][i] = (int8_t)cols.sv[fd][i];
                }
                cols.bi.sv[fd] = NULL;
                cols.bi.sv8[fd] = narrow[fd];
                n8++;
            }
            assert_true(n8 > 0);
            check_fast(p, &cols.bi, &x, 2, 2, "random, one-byte columns");
            check_fast(p, &cols.bi, &x, 1, 0, "random, one-byte, one thread");
            outs_init(&y, p, n);
            y.o.exact = 1;
            assert_int_equal(batch_eval(p, &cols.bi, &y.o, 2, &e), 0);
            for (size_t i = 0; i < n; i++) {
                if (y.o.verdict[i] != x.o.verdict[i] ||
                    y.o.has_total[i] != x.o.has_total[i] ||
                    y.o.total_lo[i] != x.o.total_lo[i] ||
                    y.o.total_hi[i] != x.o.total_hi[i]) {
                    fail_msg("exact path, one-byte columns, row %zu", i);
                }
            }
            outs_free(&y);
            for (int fd = 0; fd < RULE_MAX_FIELDS; fd++) {
                if (narrow[fd]) {
                    cols.bi.sv[fd] = cols.sv[fd];
                    cols.bi.sv8[fd] = NULL;
                    free(narrow[fd]);
                }
            }
        }
        n_fast += batch_fast_path(p);
        total += (long)n;
        outs_free(&x);
        cols_free(&cols);
        for (size_t i = 0; i < n; i++) {
            rule_input_free(ins[i]);
        }
        free(ins);
        rule_input_free(base);
        batch_free(p);
        rule_set_free(rs);
    }
    assert_true(total >= 20000);
    /* most official rule sets have the fast path (all but those with
     * constructs it leaves to the exact path) */
    assert_true(n_fast * 2 > kc_n_rule_files);
    /* the inputs reach every verdict that data can produce */
    assert_true(verdicts[RULE_V_MET] > 100);
    assert_true(verdicts[RULE_V_UNMET] > 100);
    assert_true(verdicts[RULE_V_UNKNOWN] > 100);
    assert_true(verdicts[RULE_V_CONFLICT] > 100);
    assert_true(verdicts[RULE_V_EXPERT] > 10);
    assert_true(verdicts[RULE_V_MANUAL] > 10);
}

/* The seed of the property tests: KC_TEST_SEED (hex or decimal) or a fixed
 * one. Each row takes its own seed from it, printed on failure, so a
 * failure reproduces with the same KC_TEST_SEED. */
static uint64_t prop_seed(void)
{
    const char *s = getenv("KC_TEST_SEED");
    return s && *s ? (uint64_t)strtoull(s, NULL, 0) : 0x5eed2026c0ffee15ull;
}

static uint64_t row_seed(uint64_t base, int f, int i)
{
    uint64_t z = base + (uint64_t)f * 0x9e3779b97f4a7c15ull +
                 (uint64_t)i * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}

/* Missing data the engine says cannot change the verdict (达标 or 未达标
 * with fields listed as 未填写但不影响结论) cannot: every completion of the
 * input (each missing value filled in at random, zeros and band edges
 * included) never turns 达标 into 未达标 or back, on the full path nor on
 * the batch path (exact and fast). Each row's seed is printed on failure. The
 * perturbed inputs must reach such verdicts often, on both sides. */
static void test_missing_cannot_matter(void **state)
{
    enum { ROWS = 3000, FILLS = 8 };
    int decided[8] = {0};
    long checked = 0;
    uint64_t base_seed = prop_seed();
    (void)state;
    for (int f = 0; f < kc_n_rule_files; f++) {
        RuleSet *rs = load(f);
        int nc = rule_set_n_cases(rs);
        RuleInput *base = nc > 0 ? case_input(rs, 0) : rule_input_new(2023, 0);
        BatchProg *p = NULL;
        Err pe;
        assert_int_equal(batch_compile(rs, &p, &pe), 0);
        for (int i = 0; i < ROWS; i++) {
            uint64_t seed = row_seed(base_seed, f, i);
            RuleInput *src, *in, *full;
            RuleResult *r = NULL, *r2 = NULL;
            Err e;
            int v;
            rng = seed;
            src = nc > 0 ? case_input(rs, i % nc) : rule_input_clone(base);
            in = rule_input_clone(base);
            src->year = base->year;
            src->asof = base->asof;
            if (i % 2) {
                perturb(in, src);
            } else {
                perturb_one(in, src);
                /* drop one more value: the case inputs are complete */
                in->yhas[rnd() % RULE_N_YEARLY][RULE_YEARS - 1 - rnd() % 3] = 0;
            }
            assert_int_equal(rule_eval(rs, in, &r, &e), 0);
            v = rule_result_verdict(r);
            if ((v == RULE_V_MET || v == RULE_V_UNMET) && r->moot[0]) {
                decided[v]++;
                full = rule_input_clone(in);
                for (int k = 0; k < FILLS; k++) {
                    /* one missing value filled in (k < FILLS - 1), or all */
                    int all = k == FILLS - 1, nmiss = 0, want;
                    *full = *in;
                    for (int y = 0; y < RULE_N_YEARLY; y++) {
                        for (int s = 0; s < RULE_YEARS; s++) {
                            nmiss += !full->yhas[y][s];
                        }
                    }
                    want = nmiss ? (int)(rnd() % (uint64_t)nmiss) : -1;
                    for (int y = 0, at = 0; y < RULE_N_YEARLY; y++) {
                        for (int s = 0; s < RULE_YEARS; s++) {
                            if (!full->yhas[y][s] && (all || at++ == want)) {
                                full->yhas[y][s] = 1;
                                full->yv[y][s] = rnd() % 4 == 0
                                                     ? (int64_t)(rnd() % 100)
                                                     : whole_value();
                            }
                        }
                    }
                    for (int s = RULE_N_YEARLY; s < rule_field_count(); s++) {
                        const RuleField *rf = rule_field_get(s);
                        if (full->shas[s] || rf->unit == UN_DATE ||
                            (!all && rnd() % 2)) {
                            continue;
                        }
                        full->shas[s] = 1;
                        if (full->shi[s] > full->sv[s]) { /* within bounds */
                            full->sv[s] +=
                                (int64_t)(rnd() % (uint64_t)(full->shi[s] -
                                                             full->sv[s] + 1));
                            continue;
                        }
                        full->sv[s] = rf->unit == UN_BOOL ? (int64_t)(rnd() % 2)
                                      : rf->unit == UN_ITEM
                                          ? (int64_t)(rnd() % 7)
                                          : whole_value();
                    }
                    assert_int_equal(rule_eval(rs, full, &r2, &e), 0);
                    checked++;
                    if (rule_result_verdict(r2) ==
                        (v == RULE_V_MET ? RULE_V_UNMET : RULE_V_MET)) {
                        fail_msg("%s row %d (KC_TEST_SEED=%#llx, row seed "
                                 "%#llx): %s with %s missing, %s once "
                                 "filled in",
                                 rule_set_id(rs), i,
                                 (unsigned long long)base_seed,
                                 (unsigned long long)seed, rule_verdict_name(v),
                                 r->moot,
                                 rule_verdict_name(rule_result_verdict(r2)));
                    }
                    /* the batch path (exact, then fast) on the filled-in
                     * input: the same verdict as rule_eval() */
                    for (int fast = 0; fast < 2; fast++) {
                        BatchInput bi;
                        uint8_t bv = 0;
                        BatchOut bo;
                        memset(&bo, 0, sizeof bo);
                        bo.verdict = &bv;
                        bo.exact = !fast;
                        batch_input_from_rule_input(full, &bi);
                        assert_int_equal(batch_eval(p, &bi, &bo, 1, &e), 0);
                        if (bv != rule_result_verdict(r2)) {
                            fail_msg(
                                "%s row %d (KC_TEST_SEED=%#llx, row seed "
                                "%#llx): %s with %s missing; filled in, "
                                "%s on the %s batch path, %s in full",
                                rule_set_id(rs), i,
                                (unsigned long long)base_seed,
                                (unsigned long long)seed, rule_verdict_name(v),
                                r->moot, rule_verdict_name(bv),
                                fast ? "fast" : "exact",
                                rule_verdict_name(rule_result_verdict(r2)));
                        }
                    }
                    rule_result_free(r2);
                }
                rule_input_free(full);
            }
            rule_result_free(r);
            rule_input_free(in);
            rule_input_free(src);
        }
        rule_input_free(base);
        batch_free(p);
        rule_set_free(rs);
    }
    assert_true(decided[RULE_V_MET] > 100);
    assert_true(decided[RULE_V_UNMET] > 100);
    assert_true(checked > 1000);
    if (getenv("KC_TEST_VERBOSE")) {
        fprintf(stderr, "decided despite missing data: %d 达标, %d 未达标\n",
                decided[RULE_V_MET], decided[RULE_V_UNMET]);
    }
}

/* ---- property: an input the evaluation did not read cannot matter -------- */

/* A perturbed case input of rs for row i (as the tests above make them). */
static RuleInput *prop_input(const RuleSet *rs, const RuleInput *base, int i)
{
    int nc = rule_set_n_cases(rs);
    RuleInput *src = nc > 0 ? case_input(rs, i % nc) : rule_input_clone(base);
    RuleInput *in = rule_input_clone(base);
    src->year = base->year;
    src->asof = base->asof;
    if (i % 3 == 0) {
        perturb(in, src);
    } else {
        perturb_one(in, src);
        if (i % 3 == 2) { /* one more value dropped */
            in->yhas[rnd() % RULE_N_YEARLY][RULE_YEARS - 1 - rnd() % 3] = 0;
        }
    }
    rule_input_free(src);
    return in;
}

/* Change inputs of in that r did not read (each with probability 1/2, or
 * all of them): dropped, zero, a boundary or huge value, a toggled flag, a
 * date in the window, bounds of a count. The names of what changed go to
 * what. Returns the number of inputs changed. */
static int change_unread(RuleInput *m, const RuleResult *r, int all, Buf *what)
{
    int n = 0;
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            int year = m->year - (RULE_YEARS - 1) + s;
            if (rule_result_read(r, f, year) || (!all && rnd() % 2)) {
                continue;
            }
            switch (rnd() % 5) {
            case 0:
                m->yhas[f][s] = 0;
                break;
            case 1:
                m->yhas[f][s] = 1;
                m->yv[f][s] = 0;
                break;
            case 2:
                m->yhas[f][s] = 1;
                m->yv[f][s] = huge_value();
                break;
            default:
                m->yhas[f][s] = 1;
                m->yv[f][s] = whole_value();
                break;
            }
            buf_appendf(what, " %s[%d]", rule_field_get(f)->name, year);
            n++;
        }
    }
    for (int f = RULE_N_YEARLY; f < rule_field_count(); f++) {
        const RuleField *rf = rule_field_get(f);
        if (rule_result_read(r, f, 0) || (!all && rnd() % 2)) {
            continue;
        }
        m->shi[f] = 0;
        switch (rnd() % 4) {
        case 0:
            m->shas[f] = 0;
            break;
        case 1:
            if (rf->bounded) {
                m->shas[f] = 0;
                m->sv[f] = (int64_t)(rnd() % 4);
                m->shi[f] = m->sv[f] + 1 + (int64_t)(rnd() % 3);
                break;
            }
            /* fall through */
        default:
            m->shas[f] = 1;
            if (rf->unit == UN_BOOL) {
                m->sv[f] = (int64_t)(rnd() % 2);
            } else if (rf->unit == UN_DATE) {
                Date d;
                int y = m->year - (int)(rnd() % 12);
                assert_int_equal(date_from_ymd(y, 1 + (int)(rnd() % 12),
                                               1 + (int)(rnd() % 28), &d, NULL,
                                               NULL),
                                 0);
                m->sv[f] = d;
            } else if (rf->unit == UN_ITEM) {
                m->sv[f] = (int64_t)(rnd() % 9);
            } else {
                m->sv[f] = whole_value();
            }
            break;
        }
        buf_appendf(what, " %s", rf->name);
        n++;
    }
    return n;
}

/* A verdict (and score range) never changes when inputs that the
 * evaluation did not read (rule_result_read: every input slot it fetched,
 * present or not) are changed: on the full path (rule_eval) and on the
 * batch path (exact and fast, all changed inputs as one batch). Run on
 * every official rule set; sme-2017, hnte-2016 and chuying-tj-2021 must be
 * among them, and the changes must be many (the read set is not simply
 * everything). */
static void test_unread_cannot_matter(void **state)
{
    enum { ROWS = 300, MUT = 4 };
    uint64_t base_seed = prop_seed();
    long changed = 0, checked = 0;
    int seen = 0;
    (void)state;
    for (int f = 0; f < kc_n_rule_files; f++) {
        RuleSet *rs = load(f);
        BatchProg *p = NULL;
        Err e;
        int nc = rule_set_n_cases(rs);
        RuleInput *base = nc > 0 ? case_input(rs, 0) : rule_input_new(2023, 0);
        size_t n = (size_t)ROWS * MUT, at = 0;
        RuleInput **ins = xcalloc(n, sizeof *ins);
        uint8_t *want = xcalloc(n, 1);
        int64_t *want_lo = xcalloc(n, sizeof(int64_t));
        int64_t *want_hi = xcalloc(n, sizeof(int64_t));
        uint8_t *want_has = xcalloc(n, 1);
        uint64_t *seeds = xcalloc(n, sizeof(uint64_t));
        long rs_changed = 0;
        Cols cols;
        Outs x;
        Buf what;

        buf_init(&what, 64 * 1024);
        assert_int_equal(batch_compile(rs, &p, &e), 0);
        seen += strcmp(rule_set_id(rs), "sme-2017") == 0 ||
                strcmp(rule_set_id(rs), "hnte-2016") == 0 ||
                strcmp(rule_set_id(rs), "chuying-tj-2021") == 0;
        for (int i = 0; i < ROWS; i++) {
            uint64_t seed = row_seed(base_seed, f, i);
            RuleInput *in;
            RuleResult *r = NULL;
            int64_t lo, hi;
            int has, v;

            rng = seed;
            in = prop_input(rs, base, i);
            assert_int_equal(rule_eval(rs, in, &r, &e), 0);
            v = rule_result_verdict(r);
            has = rule_result_total(r, &lo, &hi);
            for (int k = 0; k < MUT; k++) {
                RuleInput *m = rule_input_clone(in);
                RuleResult *r2 = NULL;
                int64_t lo2, hi2;
                int has2, nch;
                buf_reset(&what);
                nch = change_unread(m, r, k == MUT - 1, &what);
                assert_int_equal(rule_eval(rs, m, &r2, &e), 0);
                has2 = rule_result_total(r2, &lo2, &hi2);
                if (rule_result_verdict(r2) != v || has2 != has || lo2 != lo ||
                    hi2 != hi) {
                    fail_msg("%s row %d (KC_TEST_SEED=%#llx, row seed %#llx): "
                             "%s %lld..%lld, then %s %lld..%lld after "
                             "changing inputs it did not read:%s",
                             rule_set_id(rs), i, (unsigned long long)base_seed,
                             (unsigned long long)seed, rule_verdict_name(v),
                             (long long)lo, (long long)hi,
                             rule_verdict_name(rule_result_verdict(r2)),
                             (long long)lo2, (long long)hi2, what.data);
                }
                rule_result_free(r2);
                rs_changed += nch;
                checked++;
                want[at] = (uint8_t)v;
                want_has[at] = (uint8_t)has;
                want_lo[at] = lo;
                want_hi[at] = hi;
                seeds[at] = seed;
                ins[at++] = m;
            }
            rule_result_free(r);
            rule_input_free(in);
        }
        /* the batch path over the changed inputs: the same verdicts */
        cols_build(&cols, ins, at);
        outs_init(&x, p, at);
        assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
        for (size_t i = 0; i < at; i++) {
            if (x.o.verdict[i] != want[i] || x.o.has_total[i] != want_has[i] ||
                x.o.total_lo[i] != want_lo[i] ||
                x.o.total_hi[i] != want_hi[i]) {
                fail_msg("%s batch row %zu (KC_TEST_SEED=%#llx, row seed "
                         "%#llx): %s, batch %s after changing inputs not read",
                         rule_set_id(rs), i, (unsigned long long)base_seed,
                         (unsigned long long)seeds[i],
                         rule_verdict_name(want[i]),
                         rule_verdict_name(x.o.verdict[i]));
            }
        }
        check_fast(p, &cols.bi, &x, 2, 1, "unread inputs changed");
        check_fast(p, &cols.bi, &x, 2, 0, "unread inputs changed");
        /* every official rule set leaves inputs unread */
        if (rs_changed < (long)at) {
            fail_msg("%s: only %ld inputs changed in %zu rows", rule_set_id(rs),
                     rs_changed, at);
        }
        changed += rs_changed;
        outs_free(&x);
        cols_free(&cols);
        for (size_t i = 0; i < at; i++) {
            rule_input_free(ins[i]);
        }
        free(ins);
        free(want);
        free(want_has);
        free(want_lo);
        free(want_hi);
        free(seeds);
        buf_release(&what);
        rule_input_free(base);
        batch_free(p);
        rule_set_free(rs);
    }
    assert_int_equal(seen, 3);
    assert_true(checked >= 3000);
    if (getenv("KC_TEST_VERBOSE")) {
        fprintf(stderr, "unread inputs changed: %ld over %ld evaluations\n",
                changed, checked);
    }
}

/* ---- a synthetic rule set ------------------------------------------------ */

/* Constructs the official rule sets use little or not at all: a band over
 * an interval (an expert score), fractions as band values, products of
 * intervals, negation, min / max, dates, cases with a manual condition,
 * growth and averages over short or odd histories, OR of ANDs; bands with
 * gaps filled by else, a one-point arm beside an open one (the bounds
 * "x >= v" and "x > v" at the same v), strict and unequal comparisons of
 * fractions at ties; values that read no input (evaluated once per
 * thread). */
static const char *synth_src =
    "ruleset synth\n"
    "status confirmed\n"
    "let y = year - 1\n"
    "expert ex \"专家\" max 10 { A \"高\" 6..10; B \"低\" 0..5 }\n"
    "manual mc \"人工\"\n"
    "yearly na \"净资产\" = total_assets - total_liabilities\n"
    "let g1 \"增长1\" = growth(na[y-2..y])\n"
    "let g2 \"增长2\" = growth(sales_revenue[y-2..y])\n"
    "let g3 \"增长3\" = growth_since(na[y-2..y])\n"
    "let g4 \"增长4\" = growth_full(sales_revenue[y-2..y])\n"
    "let av \"均值\" = avg_operating(rd_expense[y-2..y])\n"
    "let sw \"长和\" = sum(sales_revenue[y-6..y])\n"
    "let so \"经营和\" = sum_operating(rd_expense[y-3..y])\n"
    "score b1 \"重叠档\" max 9 = band(tech_staff[y] / employees[y]) {\n"
    "  [10%, ..) => 5\n"
    "  [5%, 10%) => 3..4\n"
    "  (.., 5%) => 0..1\n"
    "}\n"
    "score b2 \"区间输入\" max 30 = band(ex + b1) {\n"
    "  [15, ..) => 20..30\n"
    "  [5, 15) => 10\n"
    "  (.., 5) => 0\n"
    "}\n"
    "let b3 \"分数值\" = band(sales_revenue[y]) {\n"
    "  (.., 5000万] => 5%\n"
    "  (5000万, ..) => 3%\n"
    "}\n"
    "let m1 \"乘\" = employees[y] * tech_staff[y]\n"
    "let m2 \"区间乘\" = (ex - 5) * (0 - tech_staff[y])\n"
    "let mm \"最值\" = max(min(employees[y], tech_staff[y]), -employees[y])\n"
    "let d1 \"日期\" = days_between(add_years(established, 3), asof)\n"
    "score cs \"条件\" max 12 = cases {\n"
    "  mc => 12\n"
    "  ip1 >= 1 => 8..10\n"
    "  ip2 = 2 => 4\n"
    "  else => 0\n"
    "}\n"
    "check k1 \"比\" = rd_expense[y] / sales_revenue[y] >= b3\n"
    "check k2 \"增长\" = g1 > 10% or g2 <= 0\n"
    "check k3 \"均\" = av >= 2.5万\n"
    "check k4 \"否\" = not (sw > so)\n"
    "check k5 \"负\" = -mm < m1 or m2 >= 0\n"
    "check k6 \"日\" = d1 >= 0 and d1 < 1000\n"
    "score s_m2 \"乘档\" max 10 = band(m2) { [0, ..) => 5; (.., 0) => 1 }\n"
    "score s_neg \"负档\" max 10 = band(-ex) { [-5, ..) => 2; (.., -5) => 7 }\n"
    "score s_g1 \"增长档1\" max 10 = band(g1) {\n"
    "  [10%, ..) => 4; (0, 10%) => 2..3; (.., 0] => 1 }\n"
    "score s_g2 \"增长档2\" max 10 = band(g2) {\n"
    "  [50%, ..) => 6; [-50%, 50%) => 3; (.., -50%) => 0..1 }\n"
    "score s_av \"均值档\" max 10 = band(av) {\n"
    "  [2.5万, ..) => 4; (0万, 2.5万) => 2; (.., 0万] => 0 }\n"
    "score s_gap \"缺口档\" max 10 = band(rd_expense[y]) {\n"
    "  (.., 0元) => 1; (0元, 2元] => 2; [3元, 3元] => 3; (3元, ..) => 4\n"
    "  else => 9 }\n"
    "score s_gq \"比例缺口档\" max 10 = band(g2) {\n"
    "  (.., 0) => 1; (0, 50%] => 2; [100%, 100%] => 3; (100%, ..) => 4\n"
    "  else => 5..6 }\n"
    "check k7 \"严格比\" = rd_expense[y] / sales_revenue[y] > 5%\n"
    "check k8 \"比不等\" = rd_expense[y] / sales_revenue[y] != 10%\n"
    "score s_c \"常量分\" max 10 = band(ex * 2 - 3) { [5, ..) => 3..4; (.., 5) "
    "=> 1 }\n"
    "check k10 \"和溢出\" = sum(total_cost[y-6..y]) > 0元\n"
    "score s_g3 \"增长档3\" max 10 = band(g3) {\n"
    "  [10%, ..) => 4; (0, 10%) => 2..3; (.., 0] => 1 }\n"
    "score s_g4 \"增长档4\" max 10 = band(g4) {\n"
    "  [50%, ..) => 6; [-50%, 50%) => 3; (.., -50%) => 0..1 }\n"
    "check k11 \"增长读法\" = g3 > 10% or g4 <= 0\n"
    "let tot \"总\" = b1 + b2 + cs + ex + s_m2 + s_neg + s_g1 + s_g2 + s_av +\n"
    "  s_g3 + s_g4\n"
    "total = tot\n";

/* The pass conditions the synthetic set is tried with: one mixing AND and
 * OR (short cuts), two showing the growth and product states directly (the
 * last with the unmarked short-history readings). */
static const char *synth_pass[] = {
    "pass = (k1 and k2 and k3) or (k4 and k5 and k6 and tot >= 20)\n",
    "pass = k2 and k5\n", "pass = (k11 or k8) and k5 and not k2\n"};

/* Small values for the growth and average fields: zeros, negatives and
 * equal neighbours, where growth() takes its special cases. */
static void synth_small(RuleInput *in)
{
    static const int64_t v[] = {-3, -1, 0, 0, 1, 2, 5};
    static const char *f[] = {"sales_revenue", "total_assets",
                              "total_liabilities", "rd_expense"};
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        int fid = rule_field_find(f[k]);
        for (int s = RULE_YEARS - 4; s < RULE_YEARS; s++) {
            in->yhas[fid][s] = 1;
            in->yv[fid][s] = pick(v, sizeof v / sizeof v[0]);
        }
    }
}

/* batch_eval() gives each thread BATCH_MIN_ROWS_PER_THREAD rows at least
 * unless out->split asks for the threads anyway; the verdicts are the same
 * on any number of threads. x holds the verdicts of ins[0..n). */
static void check_thread_rows(const BatchProg *p, RuleInput **ins, size_t n,
                              const Outs *x)
{
    size_t big = 2 * (size_t)BATCH_MIN_ROWS_PER_THREAD + 3;
    RuleInput **many = xcalloc(big, sizeof *many);
    uint8_t *v = xcalloc(big, 1);
    BatchInput few;
    BatchOut o;
    Cols cols;
    Err e;

    assert_true(n < 2 * (size_t)BATCH_MIN_ROWS_PER_THREAD);
    for (size_t i = 0; i < big; i++) {
        many[i] = ins[i % n];
    }
    cols_build(&cols, many, big);
    batch_input_slice(&cols.bi, 0, n, &few);
    memset(&o, 0, sizeof o);
    o.verdict = v;
    o.n_threads = -1;
    assert_int_equal(batch_eval(p, &few, &o, 2, &e), 0);
    assert_int_equal(o.n_threads, 1); /* too few rows for two */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i], x->o.verdict[i]);
    }
    o.split = 1;
    memset(v, 0, big);
    assert_int_equal(batch_eval(p, &few, &o, 2, &e), 0);
    assert_int_equal(o.n_threads, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i], x->o.verdict[i]);
    }
    o.split = 0;
    memset(v, 0, big);
    assert_int_equal(batch_eval(p, &cols.bi, &o, 4, &e), 0);
    assert_int_equal(o.n_threads, 2); /* rows for two threads, not four */
    for (size_t i = 0; i < big; i++) {
        assert_int_equal(v[i], x->o.verdict[i % n]);
    }
    cols_free(&cols);
    free(many);
    free(v);
}

static void synthetic_one(const char *pass, int expect_all)
{
    enum { N = 6000 };
    static const char *yearly[][2] = {
        {"employees", "120"},          {"tech_staff", "15"},
        {"sales_revenue", "4000"},     {"total_assets", "9000"},
        {"total_liabilities", "3000"}, {"rd_expense", "300"}};
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput *base, **ins;
    Date asof, est;
    Cols cols;
    Outs x;
    Err e;
    int verdicts[8] = {0};
    size_t len = strlen(synth_src) + strlen(pass);
    char *src = xmalloc(len + 1);
    snprintf(src, len + 1, "%s%s", synth_src, pass);
    if (rule_set_parse("synth.kcr", src, len, &rs, &e) != 0) {
        fail_msg("%s", e.msg);
    }
    free(src);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    assert_int_equal(date_from_ymd(2023, 12, 31, &asof, NULL, NULL), 0);
    assert_int_equal(date_from_ymd(2015, 6, 1, &est, NULL, NULL), 0);
    base = rule_input_new(2023, asof);
    for (size_t k = 0; k < sizeof yearly / sizeof yearly[0]; k++) {
        int fid = rule_field_find(yearly[k][0]);
        for (int s = 0; s < RULE_YEARS; s++) {
            base->yhas[fid][s] = 1;
            base->yv[fid][s] = strtoll(yearly[k][1], NULL, 10) * 10000;
        }
    }
    assert_int_equal(
        rule_input_set(base, rule_field_find("established"), est, &e), 0);
    assert_int_equal(rule_input_set(base, rule_field_find("ip1"), 0, &e), 0);
    assert_int_equal(rule_input_set(base, rule_field_find("ip2"), 2, &e), 0);
    ins = xcalloc(N, sizeof *ins);
    for (size_t i = 0; i < N; i++) {
        ins[i] = rule_input_clone(base);
        if (i % 4 == 0) {
            perturb(ins[i], base);
        } else {
            perturb_one(ins[i], base);
        }
        if (i % 3 == 0) {
            synth_small(ins[i]);
        }
        if (i % 50 == 1) { /* a sum over every row of a block overflows */
            int fid = rule_field_find("total_cost");
            for (int s = 0; s < RULE_YEARS; s++) {
                ins[i]->yhas[fid][s] = 1;
                ins[i]->yv[fid][s] = INT64_MAX / 2 + 1;
            }
        }
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N);
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    for (size_t i = 0; i < N; i++) {
        verdicts[check_row(rs, ins[i], &x, i, "synthetic") & 7]++;
    }
    check_fast(p, &cols.bi, &x, 2, 2, "synthetic");
    check_fast(p, &cols.bi, &x, 2, 1, "synthetic");
    check_fast(p, &cols.bi, &x, 2, 0, "synthetic");
    assert_int_equal(x.o.n_threads, 2);
    if (expect_all) {
        check_thread_rows(p, ins, N, &x);
        assert_true(verdicts[RULE_V_MET] > 100);
        assert_true(verdicts[RULE_V_UNMET] > 100);
        assert_true(verdicts[RULE_V_MANUAL] > 100);
    }
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    rule_input_free(base);
    batch_free(p);
    rule_set_free(rs);
}

static void test_synthetic(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof synth_pass / sizeof synth_pass[0]; k++) {
        synthetic_one(synth_pass[k], k == 0);
    }
}

/* A value that reads no input is evaluated once per thread, unless that
 * evaluation leaves 64 bits: then every row goes to the exact path. */
static void test_folded_overflow(void **state)
{
    static const char *src =
        "ruleset fold\n"
        "status confirmed\n"
        "expert ex \"专家\" max 10 { A \"高\" 6..10; B \"低\" 0..5 }\n"
        "check big \"溢出\" = 900000000000000000 * 10 + ex * "
        "900000000000000000 > 0\n"
        "check small \"常量\" = ex * 2 - 3 >= 5\n"
        "check staff \"人数\" = employees[year - 1] >= 10\n"
        "pass = big and small and staff\n"
        "total = ex * 2\n";
    enum { N = 600 };
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput **ins = xcalloc(N, sizeof *ins);
    int emp = rule_field_find("employees");
    Cols cols;
    Outs x;
    Err e;
    (void)state;
    assert_int_equal(rule_set_parse("fold.kcr", src, strlen(src), &rs, &e), 0);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    for (size_t i = 0; i < N; i++) {
        ins[i] = rule_input_new(2023, 0);
        ins[i]->yhas[emp][RULE_YEARS - 2] = i % 7 != 0;
        ins[i]->yv[emp][RULE_YEARS - 2] = (int64_t)(i % 20);
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N);
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    for (size_t i = 0; i < N; i++) {
        check_row(rs, ins[i], &x, i, "folded overflow");
    }
    check_fast(p, &cols.bi, &x, 2, 2, "folded overflow");
    check_fast(p, &cols.bi, &x, 2, 1, "folded overflow");
    check_fast(p, &cols.bi, &x, 1, 0, "folded overflow");
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    batch_free(p);
    rule_set_free(rs);
}

/* Rows the fast path leaves unknown (its kernels carry no bounds) but
 * the full path decides from the bounds of a missing value: they must go
 * to the exact path in every mode. A missing count bounds sa within its
 * band's arms (0..15) and s1 = sa + sa within its max (0..20), so
 * tot <= 35 holds unless employees reach 100; max(tot, 50) is 50. A routing
 * that leaves such rows on the fast path (too narrow) makes the verdicts,
 * totals or item outcomes differ from the full path's. */
static void test_refine_routing(void **state)
{
    static const char *src =
        "ruleset refine\n"
        "status confirmed\n"
        "expert ex \"专家\" max 10 { A \"高\" 6..10; B \"低\" 0..5 }\n"
        "manual mc \"人工\"\n"
        "let cv \"转化数\" = conversions[year - 1]\n"
        "score sa \"转化\" max 15 = band(cv) {\n"
        "  [5, ..) => 12..15; [1, 5) => 1..11; (.., 1) => 0 }\n"
        "score s1 \"转化两次\" max 20 = sa + sa\n"
        "let em \"职工数\" = employees[year - 1]\n"
        "score s2 \"人数分\" max 10 = band(em) {\n"
        "  [100, ..) => 10; (.., 100) => 0..4 }\n"
        "let tot \"合计\" = s1 + s2 + ex\n"
        "check c_hi \"不超过35分\" = tot <= 35\n"
        "check c_lo \"不低于31分\" = tot >= 31\n"
        "check staff \"有职工\" = employees[year - 1] >= 1\n"
        "let best \"取高\" = max(tot, 50)\n"
        "pass = staff and c_hi\n"
        "total = best\n";
    enum { N = 900 };
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput **ins = xcalloc(N, sizeof *ins);
    int emp = rule_field_find("employees"),
        conv = rule_field_find("conversions");
    int decided = 0;
    Cols cols;
    Outs x;
    Err e;
    (void)state;
    assert_int_equal(rule_set_parse("refine.kcr", src, strlen(src), &rs, &e),
                     0);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    for (size_t i = 0; i < N; i++) {
        static const int64_t emps[] = {5, 99, 100, 150};
        ins[i] = rule_input_new(2023, 0);
        ins[i]->yhas[emp][RULE_YEARS - 2] = i % 9 != 0;
        ins[i]->yv[emp][RULE_YEARS - 2] = emps[i % 4];
        ins[i]->yhas[conv][RULE_YEARS - 2] = i % 3 == 0;
        ins[i]->yv[conv][RULE_YEARS - 2] = (int64_t)(i % 7);
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N);
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    for (size_t i = 0; i < N; i++) {
        check_row(rs, ins[i], &x, i, "refine routing");
        /* the rows this test is about: a missing count, yet decided */
        decided += !ins[i]->yhas[conv][RULE_YEARS - 2] &&
                   x.o.verdict[i] == RULE_V_MET && x.o.has_total[i];
    }
    assert_true(decided > 0);
    for (int mode = 0; mode <= 2; mode++) {
        check_fast(p, &cols.bi, &x, 2, mode, "refine routing");
        check_fast(p, &cols.bi, &x, 1, mode, "refine routing");
    }
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    batch_free(p);
    rule_set_free(rs);
}

/* A verdict alone: the items pass reads for its decision are evaluated
 * with bounds (FCtx.src_bnd), so the kernels decide c_hi (tot <= 35 below
 * 100 employees, the count missing) and no row is refined one by one,
 * and the verdicts equal the full path's. (Before, bounds were carried
 * only with item outcomes asked: every row whose verdict was unknown and
 * c_hi unknown was refined by f_exact_val, n_refined > 0.) */
static void test_verdict_bounds(void **state)
{
    static const char *src =
        "ruleset refine\n"
        "status confirmed\n"
        "expert ex \"专家\" max 10 { A \"高\" 6..10; B \"低\" 0..5 }\n"
        "let cv \"转化数\" = conversions[year - 1]\n"
        "score sa \"转化\" max 15 = band(cv) {\n"
        "  [5, ..) => 12..15; [1, 5) => 1..11; (.., 1) => 0 }\n"
        "score s1 \"转化两次\" max 20 = sa + sa\n"
        "let em \"职工数\" = employees[year - 1]\n"
        "score s2 \"人数分\" max 10 = band(em) {\n"
        "  [100, ..) => 10; (.., 100) => 0..4 }\n"
        "let tot \"合计\" = s1 + s2 + ex\n"
        "check c_hi \"不超过35分\" = tot <= 35\n"
        "check staff \"有职工\" = employees[year - 1] >= 1\n"
        "pass = staff and c_hi\n"
        "total = tot\n";
    enum { N = 900 };
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput **ins = xcalloc(N, sizeof *ins);
    int emp = rule_field_find("employees"),
        conv = rule_field_find("conversions");
    int decided = 0;
    uint8_t *v = xcalloc(N, 1);
    BatchOut f;
    Cols cols;
    Outs x;
    Err e;
    (void)state;
    assert_int_equal(rule_set_parse("refine.kcr", src, strlen(src), &rs, &e),
                     0);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    for (size_t i = 0; i < N; i++) {
        static const int64_t emps[] = {5, 99, 100, 150};
        ins[i] = rule_input_new(2023, 0);
        ins[i]->yhas[emp][RULE_YEARS - 2] = 1;
        ins[i]->yv[emp][RULE_YEARS - 2] = emps[i % 4];
        ins[i]->yhas[conv][RULE_YEARS - 2] = i % 3 == 0;
        ins[i]->yv[conv][RULE_YEARS - 2] = (int64_t)(i % 7);
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N);
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    for (int baseline = 0; baseline <= 1; baseline++) {
        memset(&f, 0, sizeof f);
        f.verdict = v;
        f.baseline = baseline;
        f.split = 1;
        assert_int_equal(batch_eval(p, &cols.bi, &f, 2, &e), 0);
        assert_int_equal(f.n_refined, 0);
        assert_int_equal(f.n_exact, 0);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(v[i], x.o.verdict[i]);
        }
    }
    for (size_t i = 0; i < N; i++) {
        /* the rows this test is about: the count missing, yet decided */
        decided +=
            !ins[i]->yhas[conv][RULE_YEARS - 2] && x.o.verdict[i] == RULE_V_MET;
    }
    assert_true(decided > 0);
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    free(v);
    batch_free(p);
    rule_set_free(rs);
}

/* Item outcomes that bounds decide stay on the fast path (f_exact_val,
 * row by row): in the rule set of test_refine_routing, with every item
 * outcome and the counts asked, a missing count still decides c_hi
 * (tot <= 35 below 100 employees) and pass; no row goes to the full path,
 * and every outcome, count, verdict and total equals the full path's.
 * (Before, every row with such an unknown outcome went to the full path:
 * n_exact was the number of rows with a missing count.) */
static void test_outcome_routing(void **state)
{
    static const char *src =
        "ruleset refine\n"
        "status confirmed\n"
        "expert ex \"专家\" max 10 { A \"高\" 6..10; B \"低\" 0..5 }\n"
        "let cv \"转化数\" = conversions[year - 1]\n"
        "score sa \"转化\" max 15 = band(cv) {\n"
        "  [5, ..) => 12..15; [1, 5) => 1..11; (.., 1) => 0 }\n"
        "score s1 \"转化两次\" max 20 = sa + sa\n"
        "let em \"职工数\" = employees[year - 1]\n"
        "score s2 \"人数分\" max 10 = band(em) {\n"
        "  [100, ..) => 10; (.., 100) => 0..4 }\n"
        "let tot \"合计\" = s1 + s2 + ex\n"
        "check c_hi \"不超过35分\" = tot <= 35\n"
        "check staff \"有职工\" = employees[year - 1] >= 1\n"
        "all both \"两项\" {\n"
        "  c_hi2: tot <= 35 \"不超过35分\"\n"
        "  staff2: employees[year - 1] >= 1 \"有职工\"\n"
        "}\n"
        "pass = staff and c_hi\n"
        "total = tot\n";
    enum { N = 1000 };
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput **ins = xcalloc(N, sizeof *ins);
    int emp = rule_field_find("employees"),
        conv = rule_field_find("conversions");
    int decided = 0, missing = 0, c_hi, both;
    Cols cols;
    Outs x, f;
    Err e;
    (void)state;
    assert_int_equal(rule_set_parse("refine.kcr", src, strlen(src), &rs, &e),
                     0);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    c_hi = batch_item_find(p, "c_hi");
    both = batch_item_find(p, "both");
    for (size_t i = 0; i < N; i++) {
        static const int64_t emps[] = {5, 99, 100, 150};
        ins[i] = rule_input_new(2023, 0);
        ins[i]->yhas[emp][RULE_YEARS - 2] = i % 9 != 0;
        ins[i]->yv[emp][RULE_YEARS - 2] = emps[i % 4];
        ins[i]->yhas[conv][RULE_YEARS - 2] = i % 3 == 0;
        ins[i]->yv[conv][RULE_YEARS - 2] = (int64_t)(i % 7);
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N); /* the full path */
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    assert_int_equal(x.o.n_exact, N);
    outs_init(&f, p, N);
    f.o.exact = 0; /* the fast path */
    assert_int_equal(batch_eval(p, &cols.bi, &f.o, 2, &e), 0);
    for (size_t i = 0; i < N; i++) {
        check_row(rs, ins[i], &f, i, "outcome routing");
        if (!ins[i]->yhas[conv][RULE_YEARS - 2]) {
            missing++;
            /* decided by the bounds of the missing count */
            decided += f.o.item_outcome[c_hi][i] == RULE_V_MET &&
                       f.o.item_outcome[both][i] == RULE_V_MET;
        }
    }
    assert_true(missing > 0);
    assert_true(decided > 0);
    assert_int_equal(f.o.n_exact, 0);
    {
        /* verdicts alone, then with the total: c_hi decided by the
         * bounds decides pass on the fast path too (before, such a row
         * went to the full path: the check's value was not taken) */
        BatchOut v;
        uint8_t *verdict = xcalloc(N, 1), *has = xcalloc(N, 1);
        int64_t *lo = xcalloc(N, sizeof *lo), *hi = xcalloc(N, sizeof *hi);
        memset(&v, 0, sizeof v);
        v.split = 1;
        v.verdict = verdict;
        assert_int_equal(batch_eval(p, &cols.bi, &v, 2, &e), 0);
        assert_int_equal(v.n_exact, 0);
        v.has_total = has;
        v.total_lo = lo;
        v.total_hi = hi;
        assert_int_equal(batch_eval(p, &cols.bi, &v, 2, &e), 0);
        assert_int_equal(v.n_exact, 0);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(verdict[i], x.o.verdict[i]);
            assert_int_equal(has[i], x.o.has_total[i]);
        }
        free(verdict);
        free(has);
        free(lo);
        free(hi);
    }
    for (int mode = 0; mode <= 2; mode++) {
        check_fast(p, &cols.bi, &x, 2, mode, "outcome routing");
        check_fast(p, &cols.bi, &x, 1, mode, "outcome routing");
    }
    outs_free(&f);
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    batch_free(p);
    rule_set_free(rs);
}

/* Bounded unknowns in the fast kernels: a band over a missing subject,
 * over a count known only within bounds, `cases` with a missing
 * condition, `+ -` of partly unknown terms, a score's `max`, min / max
 * and comparisons decided by bounds, as hnte-2016's （七） uses them. On
 * random inputs (values missing, counts within random bounds, values near
 * every threshold) the fast path equals the full path (itself equal to
 * rule_eval()) in every mode, and with every item outcome (the kernels
 * carry bounds then) refines no row one by one: the kernels decide every
 * unknown the bounds decide. A bound computed wrong either
 * way (too narrow: a wrong decision; too wide: an unknown the full path
 * decides) fails the comparison. */
static void test_bounded_unknowns(void **state)
{
    static const char *src =
        "ruleset bounded\n"
        "status confirmed\n"
        "let y = year - 1\n"
        "expert ea \"专家甲\" max 8 { A \"高\" 5..8; B \"低\" 0..4 }\n"
        "expert eb \"专家乙\" max 6 { A \"有\" 1..6; B \"仅受让\" 1..3 }\n"
        "score cnt \"数量\" max 8 = cases {\n"
        "  ip1 >= 1 => 7..8\n"
        "  ip2_unused >= 5 => 5..6\n"
        "  ip2_unused >= 3 => 3..4\n"
        "  ip2_unused >= 1 => 1..2\n"
        "  else => 0\n"
        "}\n"
        "score cap \"上限\" max 6 = cases {\n"
        "  ip1 + ip2_unused = 0 => 0\n"
        "  ip_self = 0 => 3\n"
        "  else => 6\n"
        "}\n"
        "score acq \"获得方式\" max 6 = min(eb, cap)\n"
        "score ips \"知识产权\" max 20 = ea + cnt + acq\n"
        "let cav \"转化均值\" = avg_operating(conversions[y-2..y])\n"
        "score conv \"转化\" max 30 = band(cav) {\n"
        "  [5, ..) => 25..30; [3, 5) => 13..24; [1, 3) => 1..12\n"
        "  (0, 1) => 0..6; (.., 0] => 0 }\n"
        "score ipb \"按数量档\" max 9 = band(ip2_unused) {\n"
        "  [6, ..) => 9; [3, 6) => 4..6; [1, 3) => 2; (.., 1) => 0 }\n"
        "score gr \"成长\" max 10 = band(growth(sales_revenue[y-2..y])) {\n"
        "  [35%, ..) => 9..10; [5%, 35%) => 3..8; (0, 5%) => 1..2\n"
        "  (.., 0] => 0 }\n"
        "score big \"超上限\" max 12 = conv - ipb + gr\n"
        "score best \"较优\" max 30 = max(conv, ips + ipb)\n"
        "let inn \"合计\" = ips + conv + gr + ipb\n"
        "let line \"分数线\" = 40\n"
        "check c_gt \"高于\" = inn > line\n"
        "check c_ge \"不低于\" = inn >= 25\n"
        "check c_le \"不高于\" = big <= 5\n"
        "check c_lt \"低于\" = best < 20\n"
        "check c_eq \"等于\" = cnt = 0\n"
        "check c_ne \"不等\" = ips - ipb != 3\n"
        "check c_ip \"有知识产权\" = ip1 + ip2_unused >= 1\n"
        "let th \"门槛\" = band(employees[y]) {\n"
        "  (.., 5) => 3; [5, 10) => 8; [10, 15) => 13; [15, 20) => 20\n"
        "  [20, 25) => 25; [25, 30) => 30; [30, 35) => 36; [35, ..) => 40 }\n"
        "let tl \"下限\" = band(tech_staff[y]) {\n"
        "  (.., 1) => 0; [1, 5) => 1; [5, 10) => 2; [10, 15) => 5\n"
        "  [15, 20) => 7; [20, 25) => 9; [25, 30) => 12; [30, ..) => 18 }\n"
        "check t_gt \"高于门槛\" = inn > th\n"
        "check t_ge \"不低于门槛\" = th <= inn\n"
        "check t_lt \"低于下限\" = best < tl\n"
        "check t_le \"不高于下限\" = tl >= big\n"
        "check t_eq \"数量等于\" = cnt = tl\n"
        "check t_ne \"差不等\" = ips - ipb != th\n"
        "check t_sub \"差高于\" = th - ips > tl\n"
        "all grp \"两项\" {\n"
        "  g1: inn > line \"高于分数线\"\n"
        "  g2: cnt >= 3 or conv >= 13 \"数量或转化\"\n"
        "}\n"
        "pass = c_ip and c_gt and (c_le or c_lt) and grp\n"
        "total = inn\n";
    enum { N = 3000 };
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput **ins = xcalloc(N, sizeof *ins);
    int f_ip1 = rule_field_find("ip1"), f_ip2 = rule_field_find("ip2_unused"),
        f_self = rule_field_find("ip_self"),
        f_conv = rule_field_find("conversions"),
        f_sales = rule_field_find("sales_revenue");
    int missing = 0, decided = 0, c_gt, c_le, c_lt, c_ip;
    Cols cols;
    Outs x, f;
    Err e;
    (void)state;
    assert_int_equal(rule_set_parse("bounded.kcr", src, strlen(src), &rs, &e),
                     0);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    assert_true(batch_fast_path(p));
    c_gt = batch_item_find(p, "c_gt");
    c_le = batch_item_find(p, "c_le");
    c_lt = batch_item_find(p, "c_lt");
    c_ip = batch_item_find(p, "c_ip");
    rng = 0x5eed0b0d5ull;
    for (size_t i = 0; i < N; i++) {
        static const int64_t conv[] = {0, 1, 2, 3, 4, 5, 6, 9};
        static const int64_t sales[] = {0, 100, 104, 105, 120, 135, 140, 200};
        int f_emp = rule_field_find("employees"),
            f_ts = rule_field_find("tech_staff");
        RuleInput *in = rule_input_new(2024, 0);
        int fids[3] = {f_ip1, f_ip2, f_self};
        for (int k = 0; k < 3; k++) {
            int64_t lo = (int64_t)(rnd() % 7), hi = lo + (int64_t)(rnd() % 5);
            switch (rnd() % 3) {
            case 0: /* known */
                assert_int_equal(rule_input_set(in, fids[k], lo, &e), 0);
                break;
            case 1: /* within bounds (a point when hi == lo) */
                assert_int_equal(rule_input_set_bounds(in, fids[k], lo, hi, &e),
                                 0);
                break;
            default: /* missing */
                break;
            }
        }
        for (int s = RULE_YEARS - 4; s < RULE_YEARS; s++) {
            in->yhas[f_conv][s] = rnd() % 4 != 0;
            in->yv[f_conv][s] = pick(conv, sizeof conv / sizeof conv[0]);
            in->yhas[f_sales][s] = rnd() % 4 != 0;
            in->yv[f_sales][s] = pick(sales, sizeof sales / sizeof sales[0]);
            /* thresholds that meet the bounds exactly now and then */
            in->yhas[f_emp][s] = rnd() % 8 != 0;
            in->yv[f_emp][s] = (int64_t)(rnd() % 60) - 5;
            in->yhas[f_ts][s] = rnd() % 8 != 0;
            in->yv[f_ts][s] = (int64_t)(rnd() % 40) - 5;
        }
        ins[i] = in;
    }
    cols_build(&cols, ins, N);
    outs_init(&x, p, N); /* the full path */
    assert_int_equal(batch_eval(p, &cols.bi, &x.o, 2, &e), 0);
    for (size_t i = 0; i < N; i++) {
        check_row(rs, ins[i], &x, i, "bounded unknowns");
    }
    outs_init(&f, p, N);
    f.o.exact = 0; /* the fast path, every item outcome */
    assert_int_equal(batch_eval(p, &cols.bi, &f.o, 2, &e), 0);
    assert_int_equal(f.o.n_refined, 0);
    for (size_t i = 0; i < N; i++) {
        int unk = !ins[i]->shas[f_ip1] || !ins[i]->shas[f_ip2] ||
                  !ins[i]->shas[f_self];
        for (int s = RULE_YEARS - 4; s < RULE_YEARS; s++) {
            unk |= !ins[i]->yhas[f_conv][s] || !ins[i]->yhas[f_sales][s];
        }
        check_row(rs, ins[i], &f, i, "bounded unknowns, fast");
        if (unk) {
            missing++;
            /* a comparison that bounds decide despite missing data */
            decided += f.o.item_outcome[c_gt][i] != RULE_V_UNKNOWN ||
                       f.o.item_outcome[c_le][i] != RULE_V_UNKNOWN ||
                       f.o.item_outcome[c_lt][i] != RULE_V_UNKNOWN ||
                       f.o.item_outcome[c_ip][i] != RULE_V_UNKNOWN;
        }
    }
    assert_true(missing > N / 2);
    assert_true(decided > N / 10);
    for (int mode = 0; mode <= 2; mode++) {
        check_fast(p, &cols.bi, &x, 2, mode, "bounded unknowns");
        check_fast(p, &cols.bi, &x, 1, mode, "bounded unknowns");
    }
    outs_free(&f);
    outs_free(&x);
    cols_free(&cols);
    for (size_t i = 0; i < N; i++) {
        rule_input_free(ins[i]);
    }
    free(ins);
    batch_free(p);
    rule_set_free(rs);
}

/* Column shortcuts: a NULL value column is missing everywhere, a NULL
 * presence column is present everywhere. */
static void test_null_columns(void **state)
{
    RuleSet *rs = NULL;
    BatchProg *p = NULL;
    RuleInput *in;
    BatchInput bi;
    Outs x;
    Err e;
    int emp = rule_field_find("employees");
    (void)state;
    for (int f = 0; f < kc_n_rule_files && !rs; f++) {
        rs = load(f);
        if (strcmp(rule_set_id(rs), "sme-2017") != 0) {
            rule_set_free(rs);
            rs = NULL;
        }
    }
    assert_non_null(rs);
    assert_int_equal(batch_compile(rs, &p, &e), 0);
    in = case_input(rs, 0);
    batch_input_from_rule_input(in, &bi);
    outs_init(&x, p, 1);
    bi.yhas[emp][RULE_YEARS - 2] = NULL; /* present */
    assert_int_equal(batch_eval(p, &bi, &x.o, 1, &e), 0);
    assert_int_equal(x.o.verdict[0], RULE_V_MET);
    check_row(rs, in, &x, 0, "null presence");
    bi.yv[emp][RULE_YEARS - 2] = NULL; /* missing */
    assert_int_equal(batch_eval(p, &bi, &x.o, 1, &e), 0);
    rule_input_unset_year(in, emp, in->year - 1);
    assert_int_equal(x.o.verdict[0], RULE_V_UNKNOWN);
    check_row(rs, in, &x, 0, "null values");
    assert_int_equal(x.o.item_outcome[batch_item_find(p, "staff_cap")][0],
                     RULE_V_UNKNOWN);
    outs_free(&x);
    rule_input_free(in);
    batch_free(p);
    rule_set_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_cases),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_missing_cannot_matter),
        cmocka_unit_test(test_unread_cannot_matter),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_folded_overflow),
        cmocka_unit_test(test_null_columns),
        cmocka_unit_test(test_refine_routing),
        cmocka_unit_test(test_verdict_bounds),
        cmocka_unit_test(test_outcome_routing),
        cmocka_unit_test(test_bounded_unknowns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
