/* batch.h - a rule set evaluated over many enterprises at once.
 *
 * A BatchProg is compiled once from a RuleSet (it shares the set's tree and
 * must not outlive it) and evaluated over columnar input: one int64 column
 * and one presence column per yearly field and year slot, and per scalar
 * field, for n enterprises that share one evaluation year and as-of date.
 * Each node of the tree is evaluated for a block of rows at a time, with
 * the same exact rational arithmetic, three-valued logic and tie rules as
 * rule_eval(): for every row the verdict, the score range and each item's
 * outcome are identical to rule_eval()'s on the same input (test_batch
 * checks this on every embedded case and on random inputs). No rows,
 * gaps or explanations are produced: those come from rule_eval() on one
 * enterprise when a user opens it. Batch inputs carry no expert
 * judgements (an expert item takes the union of its grades, as in
 * rule_eval() without a judgement). See docs/internals/batch.md. */
#ifndef KC_RULES_BATCH_H
#define KC_RULES_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "rules/field.h"
#include "rules/rules.h"

/* Columnar input. A NULL value column (scalars: sv and sv8) means the
 * value is missing in every row; a NULL presence column with a value column
 * means present in every row; otherwise has[i] != 0 marks row i present. Slot s
 * of a yearly field is the year `year - (RULE_YEARS - 1) + s`, as in RuleInput.
 */
typedef struct BatchInput {
    size_t n;
    int year;
    Date asof;
    const int64_t *yv[RULE_N_YEARLY][RULE_YEARS];
    const uint8_t *yhas[RULE_N_YEARLY][RULE_YEARS];
    const int64_t *sv[RULE_MAX_FIELDS];
    const uint8_t *shas[RULE_MAX_FIELDS];
    /* optional per field: a row missing in shas with shi > sv is unknown
     * within [sv, shi] (RuleInput.shi) */
    const int64_t *shi[RULE_MAX_FIELDS];
    /* optional per scalar field: its values one byte per row (-128..127),
     * in place of sv (then NULL; presence and bounds as above). A
     * snapshot keeps its small-valued fields (flags, counts) so. */
    const int8_t *sv8[RULE_MAX_FIELDS];
    /* optional: per row the conflict rows as batch_count_conflicts()
     * gives them (they depend on the input alone); NULL: counted here */
    const uint8_t *n_conflicts;
} BatchInput;

/* Per-row results, arrays of n the caller allocates. verdict is
 * required; the others may be NULL. item_outcome (NULL, or an array of
 * batch_n_items() pointers, each NULL or an array of n) receives the
 * outcome (RULE_V_*) of the chosen items as rule_eval()'s row for that
 * item shows it (an item without a row, a let without a label: 0). n_unmet /
 * n_unknown count the items with a row whose outcome is 未达标 / 缺数据
 * (conflict rows not counted); n_conflicts the conflict rows rule_eval() lists
 * before the item rows. */
typedef struct BatchOut {
    uint8_t *verdict;
    uint8_t *has_total;
    int64_t *total_lo, *total_hi;
    uint16_t *n_unmet, *n_unknown;
    uint8_t *n_conflicts; /* conflict rows (数据矛盾), capped at 255 */
    uint8_t **item_outcome;
    int exact;      /* 1: never the fast path (tests hold the two together) */
    int baseline;   /* 1: the fast path's baseline kernels even where the
                     * AVX2 ones would run (tests hold the two together) */
    int split;      /* 1: split over the threads asked for even below
                     * BATCH_MIN_ROWS_PER_THREAD (tests cover the threads
                     * with small inputs) */
    int n_threads;  /* set by batch_eval(): threads it ran on */
    size_t n_exact; /* set by batch_eval(): rows the fast path left to the
                     * full path (every row when it is not taken) */
    /* set by batch_eval(): rows whose unknown verdict, total or item outcome
     * the fast path computed again one by one (bounds its kernels do not
     * carry) */
    size_t n_refined;
} BatchOut;

typedef struct BatchProg BatchProg;

/* Compile rs for batch evaluation. Never fails for a parsed rule set. */
int batch_compile(const RuleSet *rs, BatchProg **out, Err *e);
void batch_free(BatchProg *p);
/* Number of items (== the rule set's) and the index of item id, or -1. */
int batch_n_items(const BatchProg *p);
int batch_item_find(const BatchProg *p, const char *id);

/* 1 when p has the fast path: batch_eval() takes it unless out->exact. */
int batch_fast_path(const BatchProg *p);

/* The instruction set of the fast path's kernels on this processor:
 * "AVX2" or "基础指令集" (the build's baseline). */
const char *batch_isa(void);

/* Rows each thread of batch_eval() gets at least: a second thread costs a
 * fixed 0.5-1.5 ms of CPU per call (its start, and page faults of memory
 * the thread's exit handed back), more than it saves on fewer rows
 * (bench/README.md, "(c) and its threads"). */
#define BATCH_MIN_ROWS_PER_THREAD 8192

/* Evaluate rows [0, in->n) into out, using `threads` threads (1 or more;
 * capped at 16, and at one per BATCH_MIN_ROWS_PER_THREAD rows unless
 * out->split). Returns 0, or ERR_INVALID when in is malformed. */
int batch_eval(const BatchProg *p, const BatchInput *in, BatchOut *out,
               int threads, Err *e);

/* Per row of in, the number of conflict rows rule_eval() lists (a part
 * larger than its whole in some year), capped at 255, into out (n bytes).
 * Independent of the rule set, so a caller screening many rule sets over
 * the same input can count them once (BatchInput.n_conflicts). */
void batch_count_conflicts(const BatchInput *in, uint8_t *out);

/* A view of rows [from, from + n) of in as a BatchInput of n rows (every
 * column pointer moved by from; a NULL column stays NULL). Evaluating the
 * view gives those rows' results at index 0 .. n - 1. from + n <= in->n. */
void batch_input_slice(const BatchInput *in, size_t from, size_t n,
                       BatchInput *out);

/* Fill a one-row BatchInput pointing into a RuleInput (for tests and for
 * evaluating one enterprise the batch way). The expert judgements of the
 * RuleInput are not carried. */
void batch_input_from_rule_input(const RuleInput *ri, BatchInput *in);

#endif
