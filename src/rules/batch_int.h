/* batch_int.h - what batch.c and the fast path (batch_fast.c) share.
 *
 * batch_fast.c is compiled twice where the compiler targets x86-64: once
 * for the baseline instruction set and once with AVX2 (names ending in
 * _avx2); batch.c picks the AVX2 kernels at run time when the processor
 * has them (docs/internals/batch.md). Private to src/rules. */
#ifndef KC_RULES_BATCH_INT_H
#define KC_RULES_BATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "rules/ast.h"
#include "rules/batch.h"

#define BLK 256

struct BatchProg {
    const RuleSet *rs;
    int estab_fid;
    int pairs[5][2]; /* conflict checks: part, whole field ids */
    int n_pairs;
    uint8_t has_row[RULES_MAX_ITEMS]; /* the item gets an explanation row */
    uint8_t alt[RULES_MAX_ITEMS];     /* operand of max/min (uval.h) */
    /* what the bounds of unknown values (uval.h) may change, which the
     * fast kernels do not compute: per item its outcome, the verdict, the
     * total (batch.c, refine_*) */
    uint8_t refine_item[RULES_MAX_ITEMS];
    int refine_pass, refine_total, refine_any;
    /* an unknown value of the item may carry bounds or become known (the
     * fast path's f_exact_val looks into it) */
    uint8_t ureach[RULES_MAX_ITEMS];
    /* the items f_exact_val may read: pass_src, total_src and the items
     * their expressions read (the fast path keeps their values by row) */
    uint8_t shadow[RULES_MAX_ITEMS];
    /* with item outcomes asked: the items f_exact_val may read for the
     * outcome of an item whose bounds may decide it (refine_item) */
    uint8_t xshadow[RULES_MAX_ITEMS];
    /* the item is a comparison and its operand a (bit 0) / b (bit 1) is
     * unbounded when unknown, and never decided by bounds */
    uint8_t cmp_free[RULES_MAX_ITEMS];
    /* the items whose own expression holds such a decision, that pass /
     * total read; *_direct: pass / total holds one itself. A row whose
     * pass is unknown goes to the exact path only when one of these items
     * is unknown too (the fast path checks, f_refine) */
    int16_t pass_src[RULES_MAX_ITEMS], total_src[RULES_MAX_ITEMS];
    int n_pass_src, n_total_src, pass_direct, total_direct;
    int fast;                        /* every node typed: fast path usable */
    int fkind[RULES_MAX_ITEMS];      /* FK_* of each item */
    uint8_t fstate[RULES_MAX_ITEMS]; /* typing: 0 not yet, 1 busy, 2 done */
    int16_t icost[RULES_MAX_ITEMS];  /* rough passes to evaluate an item */
    /* with a score range asked, and/or still skip decided rows: pass reads
     * items the total does not, costing four times the total's or more
     * (hnte-2016's further readings of （七）; not sme-2017) */
    int score_skip;
    int dkind[RULES_MAX_DERIVED]; /* FK_* of each derived field */
    uint8_t dstate[RULES_MAX_DERIVED];
};

/* The (part, whole) columns of one conflict check at one year slot. */
typedef struct ConflictCols {
    const int64_t *pv, *wv;
    const uint8_t *ph, *wh;
} ConflictCols;

/* Value of scalar field f at row r (its column is sv or sv8). */
static inline int64_t batch_sval(const BatchInput *in, int f, size_t r)
{
    return in->sv8[f] ? (int64_t)in->sv8[f][r] : in->sv[f][r];
}

/* Field f has a value column (sv or sv8). */
static inline int batch_scol(const BatchInput *in, int f)
{
    return in->sv[f] != NULL || in->sv8[f] != NULL;
}

static inline int fits64(__int128 x)
{
    return x >= INT64_MIN && x <= INT64_MAX;
}

/* No bounds can reach node n (batch.c's refine_of() finds none): its
 * unknown value is always unknown without bounds, never not applicable,
 * and no bound can make it known, so the fast path's state is eval.c's. */
int batch_refine_plain(const RuleSet *rs, const Node *n);

/* add_years() of eval.c (batch.c). */
Date batch_add_years(Date d, int64_t n);

/* The fast path (batch_fast.c). batch_fast_compile() types the rule set
 * (p->fast, kinds, costs); a BatchFast is one thread's context;
 * batch_fast_block() evaluates rows [base, base + m) into out and returns
 * 1 when the whole block must go to the exact path, else 0 with *bail
 * marking the rows that must (BLK bytes). */
typedef struct FCtx BatchFast;

void batch_fast_compile(BatchProg *p);
BatchFast *batch_fast_new(const BatchProg *p, const BatchInput *in);
void batch_fast_free(BatchFast *c);
/* Rows refined one by one so far (BatchOut.n_refined). */
size_t batch_fast_refined(const BatchFast *c);
int batch_fast_block(BatchFast *c, size_t base, int m, const BatchOut *out,
                     const ConflictCols *cc, int ncc, const uint8_t **bail);

/* The same kernels built with AVX2. */
void batch_fast_compile_avx2(BatchProg *p);
BatchFast *batch_fast_new_avx2(const BatchProg *p, const BatchInput *in);
void batch_fast_free_avx2(BatchFast *c);
size_t batch_fast_refined_avx2(const BatchFast *c);
int batch_fast_block_avx2(BatchFast *c, size_t base, int m, const BatchOut *out,
                          const ConflictCols *cc, int ncc,
                          const uint8_t **bail);

#endif
