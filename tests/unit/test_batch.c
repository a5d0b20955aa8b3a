/* test_batch.c - the columnar evaluator gives exactly rule_eval()'s
 * verdict, score range and item outcomes: on every embedded case of every
 * official rule set, and on thousands of random and perturbed inputs per
 * rule set (missing fields, zero divisors, exact band-boundary ties,
 * negative values, contradictory parts, short operating histories),
 * evaluated as one columnar batch over several blocks and two threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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
    x->o.item_outcome = xcalloc((size_t)x->n_items, sizeof(uint8_t *));
    for (int i = 0; i < x->n_items; i++) {
        x->o.item_outcome[i] = xcalloc(n, 1);
    }
}

static void outs_free(Outs *x)
{
    free(x->o.verdict);
    free(x->o.has_total);
    free(x->o.total_lo);
    free(x->o.total_hi);
    free(x->o.n_unmet);
    free(x->o.n_unknown);
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
    int has, nu = 0, nk = 0;

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
    has = rule_result_verdict(r);
    rule_result_free(r);
    return has;
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
    int64_t x = whole / 100 * p + (whole % 100) * p / 100;
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
            in->sv[f] = whole_value();
        }
    }
    in->n_ex = 0;
}

static void test_random_inputs(void **state)
{
    enum { PER_CASE = 400, MAX_ROWS = 6000 };
    long total = 0;
    int verdicts[8] = {0};
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
    /* the inputs reach every verdict that data can produce */
    assert_true(verdicts[RULE_V_MET] > 100);
    assert_true(verdicts[RULE_V_UNMET] > 100);
    assert_true(verdicts[RULE_V_UNKNOWN] > 100);
    assert_true(verdicts[RULE_V_CONFLICT] > 100);
    assert_true(verdicts[RULE_V_EXPERT] > 10);
    assert_true(verdicts[RULE_V_MANUAL] > 10);
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
        cmocka_unit_test(test_null_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
