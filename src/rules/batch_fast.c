/* batch_fast.c - the batch evaluator's fast path (see batch.c and
 * docs/internals/batch.md): a rule set whose every node has a static kind
 * evaluated block by block on narrow columns.
 *
 * Compiled twice on x86-64: plainly, and with -mavx2 -DBATCH_FAST_AVX2,
 * which gives the exported functions the suffix _avx2 (batch_int.h). The
 * kernels are loops over a block written without branches so that the
 * compiler vectorises them; AVX2 lets it do so for loops that mix 64-bit
 * values and one-byte states. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "rules/batch_int.h"
#include "rules/eval.h"
#include "rules/q.h"
#include "rules/uval.h"

#ifdef BATCH_FAST_AVX2
#define BATCH_FAST(name) name##_avx2
#else
#define BATCH_FAST(name) name
#endif

/* When the caller asks for no item outcomes and no counts, a rule set whose
 * every node has a static kind is evaluated on narrow columns instead of
 * Val: an interval of int64 (FK_R: numbers, booleans, dates, scores) or
 * an unreduced int64 fraction n/d with d > 0 (FK_Q: quotients, growth,
 * averages, rational band values), with a one-byte truth state whose
 * order makes tv_join a max. Every kernel mirrors its Val counterpart
 * above; where int64 is not enough (an overflow, an interval divisor, an
 * interval of fractions, growth of large values) the row is marked and
 * evaluated again by the exact path, so no verdict or score can differ. */

enum { FK_R = 0, FK_Q = 1 };
enum { FT_OK = 0, FT_E, FT_M, FT_U }; /* tv_join(a, b) == max(a, b) */

#define FB_MAX_TEMPS 1024
#define FS_MAX_DEPTH 8
#define FS_MIN_COST 4 /* b cheaper than this: evaluate it for every row */
/* a selection that drops fewer rows than this is not made: each item
 * evaluated in it costs a call's overhead (a few thousand instructions,
 * about what 16 rows of its kernels cost), and an item evaluated for one
 * selection is not reused by a sibling selection (hnte-2016's four
 * readings of (七), re-evaluated under each operand of its and / or
 * chains for the dozen rows left in a block) */
#define FS_MIN_DROP 16
#define FM_SLOTS 256 /* memoised arms_kind / node_cost per thread */
#define FC_SLOTS 64
#define FY_FIRST 1800
#define FY_LAST 2200
#define FF_SLOTS 1024

/* A block of values. Kernels read through lo / hi / t, which point to the
 * block's own arrays, into an input column (no copy), or hi to lo (a
 * point); they write the own arrays after f_own(), having taken their
 * operands' pointers first (the output may be an operand). */
typedef struct FBlk {
    const int64_t *lo; /* FK_R: lower bound; FK_Q: numerator */
    const int64_t *hi; /* FK_R: upper bound; FK_Q: denominator (> 0) */
    const uint8_t *t;  /* FT_* */
    int64_t slo[BLK], shi[BLK];
    uint8_t st[BLK];
    /* what the unknown rows (FT_U) are, as in eval.c (uval.h): 0 not
     * known here (bounds may decide them: refined, f_refine); 1 every row's
     * state is eval.c's and an unknown row's lo / hi are its bounds
     * (FB_NO_LO / FB_NO_HI: none), never not applicable (FK_R only); 2 the
     * state is eval.c's and an unknown row has no bounds. Read through
     * f_bnd(), which trusts it only for the node kinds that set it. */
    int fx;
} FBlk;

#define FB_NO_LO INT64_MIN
#define FB_NO_HI INT64_MAX
#define FP_SLOTS 256

/* All present: the state of a column without a presence column. */
static const uint8_t f_all_ok[BLK];

/* Point o's values at its own arrays (hi separate). */
static void f_own(FBlk *o)
{
    o->lo = o->slo;
    o->hi = o->shi;
    o->t = o->st;
}

/* The same for a block of points (hi is lo). */
static void f_own_point(FBlk *o)
{
    o->lo = o->hi = o->slo;
    o->t = o->st;
}

#define FSUM_SLOTS 16

typedef struct FSumSlot {
    int op, fid, a, b;
    int64_t lo[BLK], hi[BLK];
    uint8_t t[BLK];
    unsigned at[BLK];
    unsigned blk_at; /* stamp of the block values were last kept for */
    unsigned pts_at; /* stamp while every value kept in the block is a
                      * point (hi is lo) */
} FSumSlot;

typedef struct FCtx {
    const BatchProg *p;
    const RuleSet *rs;
    const BatchInput *in;
    size_t base;
    int m;
    int yctx;
    int depth;
    FBlk *items[FS_MAX_DEPTH];    /* per selection depth, one block per item */
    unsigned *igen[FS_MAX_DEPTH]; /* selection an item block was made for */
    const int *sel; /* rows of the block being evaluated (c->m of them) */
    int ident;      /* sel is 0, 1, ..., m - 1 */
    int sdepth;     /* nesting of selections */
    /* per depth below the current one: its selection (gen, rows) while a
     * deeper one is evaluated */
    unsigned dgen[FS_MAX_DEPTH];
    const int *dsel[FS_MAX_DEPTH];
    int dm[FS_MAX_DEPTH];
    unsigned gen;  /* the current selection */
    unsigned gen0; /* the block's whole-block selection (depth 0) */
    unsigned gen_next;
    int shortcut; /* verdict only: AND / OR skip the decided rows */
    int bm;       /* rows in the block */
    int sel0[BLK];
    const void *ckey[FC_SLOTS]; /* literals, filled once per thread */
    FBlk *cval[FC_SLOTS];
    const Node *bkey[FC_SLOTS]; /* band tables, made once per thread */
    const Node *mkey[FM_SLOTS]; /* f_memo: node and which, value */
    uint8_t mwhich[FM_SLOTS];
    int mval[FM_SLOTS];
    struct FCuts *bcut[FC_SLOTS];
    FBlk *temps[FB_MAX_TEMPS];
    int top;
    int all_bail;      /* the whole block goes to the exact path */
    uint8_t bail[BLK]; /* rows that go to the exact path */
    int ey[BLK];
    int ey_ready;
    Date jan1[FY_LAST - FY_FIRST + 1]; /* 1 January of each year */
    struct FFold *fold;                /* FF_SLOTS row-invariant values */
    uint8_t iinv[RULES_MAX_ITEMS];     /* item invariant: FI_* */
    int folding;                       /* evaluating one of them */
    /* per row of the block, the last value of the items f_exact_val may
     * read (p->shadow), wherever they were evaluated; at[] = stamp when
     * the item was evaluated for that row in this block */
    struct FShadow *shadow[RULES_MAX_ITEMS];
    unsigned stamp;
    int items_mode; /* item outcomes asked: p->xshadow items kept too */
    /* an item that pass reads for its decision (p->pass_src): evaluated
     * with bounds also for a verdict or a score range (f_item) */
    uint8_t src_bnd[RULES_MAX_ITEMS];
    /* f_refine reads the item's shadow fx (p->pass_src, p->total_src) */
    uint8_t fx_read[RULES_MAX_ITEMS];
    uint8_t *oc; /* item outcomes of the block, BLK per item */
    /* uv_band() of a subject without bounds, by band node and its
     * not-applicable flag (it depends on nothing else) */
    const Node *ubkey[8];
    Val ubval[8];
    /* 1 + the verdict f_refine() computed exactly for a row, or 0; the
     * total likewise (tov: 1 unknown, 2 known tlo..thi) */
    uint8_t pov[BLK], tov[BLK];
    int64_t tlo[BLK], thi[BLK];
    /* f_exact_val() of an unknown item computed from its expression, for
     * one row of the block (xm_at = stamp, xm_row): the verdict and the
     * total of a row read the same items */
    unsigned xm_at[RULES_MAX_ITEMS];
    /* sums over years of one field (hnte-2016 sums rd_expense the same
     * way in two criteria, under different selections): one slot per
     * distinct sum, its values kept by row of the block (at = stamp) */
    struct FSumSlot *sums[FSUM_SLOTS];
    int n_sums;
    int xm_row[RULES_MAX_ITEMS];
    int xm_rc[RULES_MAX_ITEMS];
    Val xm_val[RULES_MAX_ITEMS];
    /* batch_refine_plain() by node (or item), computed once per thread */
    const void *pkey[FP_SLOTS];
    int8_t pval[FP_SLOTS];
    /* the fx of each item's block in the block's outcomes (items mode) */
    uint8_t ifx[RULES_MAX_ITEMS];
    int8_t iplain[RULES_MAX_ITEMS]; /* f_plain() of an item + 1, or 0 */
    uint8_t rf[BLK]; /* the row was refined one by one (f_exact_val) */
    /* the kernels carry bounds (FBlk.fx): with item outcomes asked, where
     * refining the many unknown outcomes row by row costs more than the
     * bounds; for a verdict or a score range the few unknown rows are
     * refined instead (fewer instructions on hnte-2016) */
    int bounds;
    size_t n_refined; /* such rows, all blocks */
    /* a kernel's unknown rows worked out from its operands before it
     * overwrites them (no evaluation in between: one set per thread) */
    int uidx[BLK];
    int64_t ulo[BLK], uhi[BLK];
    uint8_t ut[BLK];
    Val uval[BLK];
} FCtx;

typedef struct FShadow {
    int64_t lo[BLK], hi[BLK];
    uint8_t t[BLK];
    uint8_t fx[BLK]; /* the fx of the block the row's value came from */
    unsigned at[BLK];
} FShadow;

/* q as int64 n and d (and -n representable). */
static int q_fits64(Q q)
{
    return fits64(q.n) && fits64(q.d) && q.n != INT64_MIN;
}

/* Sign of an/ad - bn/bd (ad, bd > 0): exact, the products fit in 128 bits. */
static inline __attribute__((always_inline)) int fcmp(int64_t an, int64_t ad,
                                                      int64_t bn, int64_t bd)
{
    __int128 x, y;
    if (ad == bd) {
        return (an > bn) - (an < bn);
    }
    x = (__int128)an * bd;
    y = (__int128)bn * ad;
    return (x > y) - (x < y);
}

/* *r = a + b, a - b (wrapping); the result's sign bit is set when it
 * overflowed int64. Written on the sign bits, of 64-bit lanes alone, so
 * that loops of them are vectorised on any instruction set. */
static inline __attribute__((always_inline)) int64_t
f_add_w(int64_t a, int64_t b, int64_t *r)
{
    int64_t s = (int64_t)((uint64_t)a + (uint64_t)b);
    *r = s;
    return (a ^ s) & (b ^ s);
}

static inline __attribute__((always_inline)) int64_t
f_sub_w(int64_t a, int64_t b, int64_t *r)
{
    int64_t s = (int64_t)((uint64_t)a - (uint64_t)b);
    *r = s;
    return (a ^ b) & (a ^ s);
}

/* ---- kinds: decided once per rule set ----------------------------------- */

static int ftype(BatchProg *p, const Node *n, int depth);

/* Kind of a literal lo..hi: FK_R for integers, FK_Q for one fraction. */
static int const_kind(Q lo, Q hi)
{
    if (!q_fits64(lo) || !q_fits64(hi)) {
        return -1;
    }
    if (lo.d == 1 && hi.d == 1) {
        return FK_R;
    }
    return lo.n == hi.n && lo.d == hi.d ? FK_Q : -1;
}

/* Kind of the values of a band or cases table (arm values are literals). */
static int arms_kind(const Node *n)
{
    int k = FK_R;
    if (n->n_arms > RULES_MAX_ARMS) {
        return -1;
    }
    for (int i = 0; i < n->n_arms; i++) {
        const BandArm *a = &n->arms[i];
        int vk;
        if (!a->value) {
            return -1;
        }
        vk = const_kind(a->value->lo, a->value->hi);
        if (vk < 0) {
            return -1;
        }
        if (vk == FK_Q) {
            k = FK_Q;
        }
        if (!a->is_else && ((a->has_lo && !q_fits64(a->lo)) ||
                            (a->has_hi && !q_fits64(a->hi)))) {
            return -1;
        }
    }
    if (k == FK_Q) {
        /* fractions: every value must be one point */
        for (int i = 0; i < n->n_arms; i++) {
            const Node *v = n->arms[i].value;
            if (v->lo.n != v->hi.n || v->lo.d != v->hi.d) {
                return -1;
            }
        }
    }
    return k;
}

/* Kind of item i (cached); -1 for a cycle or an untyped expression. */
static int item_kind(BatchProg *p, int i, int depth)
{
    const Item *it = &p->rs->items[i];
    int k = -1;
    if (p->fstate[i] == 2) {
        return p->fkind[i];
    }
    if (p->fstate[i] == 1) {
        return -1; /* a cycle: left to the exact path */
    }
    p->fstate[i] = 1;
    switch (it->kind) {
    case IT_LET:
    case IT_CHECK:
        k = ftype(p, it->expr, depth);
        break;
    case IT_SCORE:
        k = ftype(p, it->expr, depth);
        if (it->has_max &&
            (!q_fits64(it->max) || (k == FK_R && it->max.d != 1))) {
            k = -1;
        }
        break;
    case IT_ALL:
    case IT_ANY:
        k = FK_R;
        for (int j = i + 1; j < p->rs->n_items; j++) {
            if (p->rs->items[j].parent == i && item_kind(p, j, depth) != FK_R) {
                k = -1;
            }
        }
        break;
    case IT_EXPERT:
        k = FK_R;
        for (int g = 0; g < it->n_grades; g++) {
            if (const_kind(it->grades[g].lo, it->grades[g].hi) != FK_R) {
                k = -1;
            }
        }
        break;
    case IT_MANUAL:
        k = FK_R;
        break;
    default:
        k = -1;
        break;
    }
    p->fkind[i] = k;
    p->fstate[i] = 2;
    return k;
}

/* Kind of a yearly reference (field or derived); a derived field that
 * refers to itself is left to the exact path. */
static int yearly_kind(BatchProg *p, const Node *ref, int depth)
{
    int d;
    if (ref->kind == ND_FIELD) {
        return FK_R;
    }
    if (ref->kind != ND_DERIVED || ref->fid < 0 ||
        ref->fid >= p->rs->n_derived) {
        return -1;
    }
    d = ref->fid;
    if (p->dstate[d] == 1) {
        return -1;
    }
    if (p->dstate[d] == 0) {
        p->dstate[d] = 1;
        p->dkind[d] = ftype(p, p->rs->derived[d].expr, depth + 1);
        p->dstate[d] = 2;
    }
    return p->dkind[d];
}

/* Kind of node n (FK_R, FK_Q), or -1 when the fast path cannot take it. */
static int ftype(BatchProg *p, const Node *n, int depth)
{
    int ka, kb;
    if (!n) {
        return FK_R; /* unknown everywhere */
    }
    switch (n->kind) {
    case ND_NUM:
        return const_kind(n->lo, n->hi);
    case ND_BOOL:
    case ND_FIELD:
    case ND_SCALAR:
    case ND_YEAR:
    case ND_ASOF:
    case ND_END_OF_YEAR:
        return FK_R;
    case ND_DERIVED:
        return yearly_kind(p, n, depth);
    case ND_ITEM:
        if (n->fid < 0 || n->fid >= p->rs->n_items) {
            return -1;
        }
        return item_kind(p, n->fid, depth);
    case ND_NEG:
        return ftype(p, n->a, depth);
    case ND_NOT:
        return ftype(p, n->a, depth) == FK_R ? FK_R : -1;
    case ND_SUM:
        if (!n->a || yearly_kind(p, n->a, depth) != FK_R) {
            return -1;
        }
        return SUMF_IS_AVG(n->op) ? FK_Q : FK_R;
    case ND_GROWTH:
        if (!n->a || yearly_kind(p, n->a, depth) != FK_R) {
            return -1;
        }
        return FK_Q;
    case ND_BAND:
        if (ftype(p, n->a, depth) < 0) {
            return -1;
        }
        return arms_kind(n);
    case ND_CASES:
        for (int i = 0; i < n->n_arms; i++) {
            if (n->arms[i].cond && ftype(p, n->arms[i].cond, depth) != FK_R) {
                return -1;
            }
        }
        return arms_kind(n);
    case ND_CMP:
        ka = ftype(p, n->a, depth);
        kb = ftype(p, n->b, depth);
        return ka < 0 || kb < 0 ? -1 : FK_R;
    case ND_DIV:
        ka = ftype(p, n->a, depth);
        kb = ftype(p, n->b, depth);
        return ka == FK_R && kb == FK_R ? FK_Q : -1;
    case ND_ADD:
    case ND_SUB:
    case ND_MUL:
    case ND_AND:
    case ND_OR:
    case ND_MAX:
    case ND_MIN:
    case ND_ADD_YEARS:
    case ND_DAYS_BETWEEN:
        ka = ftype(p, n->a, depth);
        kb = ftype(p, n->b, depth);
        return ka == FK_R && kb == FK_R ? FK_R : -1;
    default:
        return -1;
    }
}

/* A rough count of the passes over a block that evaluating n takes (for
 * deciding whether skipping decided rows pays); capped. */
static int node_cost(const BatchProg *p, const Node *n, int depth)
{
    int k = 0;
    if (!n || depth > 8) {
        return 0;
    }
    switch (n->kind) {
    case ND_NUM:
    case ND_BOOL:
    case ND_YEAR:
    case ND_ASOF:
    case ND_END_OF_YEAR:
        return 0;
    case ND_FIELD:
    case ND_SCALAR:
        return 1;
    case ND_ITEM:
        return p->icost[n->fid];
    case ND_DERIVED:
        return 1 + node_cost(p, p->rs->derived[n->fid].expr, depth + 1);
    case ND_SUM:
    case ND_GROWTH:
        k = 2 * (n->yoff2 - n->yoff + 1);
        break;
    case ND_BAND:
    case ND_CASES:
        k = n->n_arms / 2;
        for (int i = 0; i < n->n_arms; i++) {
            k += node_cost(p, n->arms[i].cond, depth + 1);
        }
        break;
    default:
        break;
    }
    k += 1 + node_cost(p, n->a, depth + 1) + node_cost(p, n->b, depth + 1);
    return k > 1000 ? 1000 : k;
}

/* Item costs, members and referenced items first (no cycles here). */
static int item_cost(BatchProg *p, int i)
{
    const Item *it = &p->rs->items[i];
    int k = 0;
    if (p->icost[i] >= 0) {
        return p->icost[i];
    }
    p->icost[i] = 0; /* provisional */
    if (it->kind == IT_ALL || it->kind == IT_ANY) {
        for (int j = i + 1; j < p->rs->n_items; j++) {
            if (p->rs->items[j].parent == i) {
                k += 1 + item_cost(p, j);
            }
        }
    } else if (it->expr) {
        k = node_cost(p, it->expr, 0);
    }
    p->icost[i] = (int16_t)(k > 1000 ? 1000 : k);
    return p->icost[i];
}

/* Mark in mark[] the items n reads (through items and group members). */
static void f_mark_items(const RuleSet *rs, const Node *n, uint8_t *mark,
                         int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return;
    }
    if (n->kind == ND_ITEM) {
        int i = n->fid;
        if (i >= 0 && i < rs->n_items && !mark[i]) {
            mark[i] = 1;
            f_mark_items(rs, rs->items[i].expr, mark, depth + 1);
            for (int j = i + 1; j < rs->n_items; j++) {
                if (rs->items[j].parent == i) {
                    Node ref;
                    memset(&ref, 0, sizeof ref);
                    ref.kind = ND_ITEM;
                    ref.fid = j;
                    f_mark_items(rs, &ref, mark, depth + 1);
                }
            }
        }
        return;
    }
    if (n->kind == ND_DERIVED) {
        f_mark_items(rs, rs->derived[n->fid].expr, mark, depth + 1);
        return;
    }
    f_mark_items(rs, n->a, mark, depth + 1);
    f_mark_items(rs, n->b, mark, depth + 1);
    for (int k = 0; k < n->n_arms; k++) {
        f_mark_items(rs, n->arms[k].cond, mark, depth + 1);
    }
}

/* Decide whether rs has a fast path: every item, pass and total typed,
 * no cycle through items. */
void BATCH_FAST(batch_fast_compile)(BatchProg *p)
{
    const RuleSet *rs = p->rs;
    int ok = 1;
    memset(p->fstate, 0, sizeof p->fstate);
    memset(p->dstate, 0, sizeof p->dstate);
    for (int i = 0; i < rs->n_items && ok; i++) {
        ok = item_kind(p, i, 0) >= 0;
    }
    if (ok) {
        ok = ftype(p, rs->pass, 0) == FK_R && ftype(p, rs->total, 0) >= 0;
    }
    p->fast = ok;
    for (int i = 0; i < rs->n_items; i++) {
        p->icost[i] = -1;
    }
    for (int i = 0; ok && i < rs->n_items; i++) {
        item_cost(p, i);
    }
    p->score_skip = 0;
    if (ok && rs->total) {
        uint8_t mp[RULES_MAX_ITEMS], mt[RULES_MAX_ITEMS];
        int only = 0, tot = 0;
        memset(mp, 0, sizeof mp);
        memset(mt, 0, sizeof mt);
        f_mark_items(rs, rs->pass, mp, 0);
        f_mark_items(rs, rs->total, mt, 0);
        for (int i = 0; i < rs->n_items; i++) {
            only += mp[i] && !mt[i] ? p->icost[i] : 0;
            tot += mt[i] ? p->icost[i] : 0;
        }
        p->score_skip = only > 0 && only >= 4 * tot;
    }
}

/* ---- fast evaluation of one block --------------------------------------- */

static const FBlk *fev(FCtx *c, const Node *n, FBlk *out, int *kind);

/* A temporary block from the per-thread stack (popped by the caller with
 * c->top--), or NULL and the block left to the exact path. */
static FBlk *f_push(FCtx *c)
{
    if (c->top >= FB_MAX_TEMPS) {
        c->all_bail = 1;
        return NULL;
    }
    if (!c->temps[c->top]) {
        c->temps[c->top] = xmalloc(sizeof(FBlk));
    }
    return c->temps[c->top++];
}

/* Every row of o: lo..hi in state t. */
static void f_fill(FCtx *c, FBlk *o, int64_t lo, int64_t hi, int t)
{
    f_own(o);
    for (int i = 0, m = c->m; i < m; i++) {
        o->slo[i] = lo;
        o->shi[i] = hi;
        o->st[i] = (uint8_t)t;
    }
}

/* The block of a value that is the same in every row (a literal, an
 * expert or manual item), keyed by its node or item: filled for all BLK
 * rows once per thread. NULL when the cache is full. */
static FBlk *f_const(FCtx *c, const void *key, int64_t lo, int64_t hi, int t)
{
    size_t h = ((uintptr_t)key >> 4) % FC_SLOTS;
    for (size_t k = 0; k < FC_SLOTS; k++) {
        size_t i = (h + k) % FC_SLOTS;
        if (c->ckey[i] == key) {
            return c->cval[i];
        }
        if (!c->ckey[i]) {
            FBlk *b = xmalloc(sizeof *b);
            f_own(b);
            for (int r = 0; r < BLK; r++) {
                b->slo[r] = lo;
                b->shi[r] = hi;
                b->st[r] = (uint8_t)t;
            }
            b->fx = t != FT_U;
            c->ckey[i] = key;
            c->cval[i] = b;
            return b;
        }
    }
    return NULL;
}

/* dst takes src's values: input columns and constant blocks are shared,
 * src's own arrays copied (src may be a temporary). */
static void f_copy(FCtx *c, FBlk *dst, const FBlk *src)
{
    size_t n = (size_t)c->m;
    int hi_is_lo = src->hi == src->lo;
    if (dst == src) {
        return;
    }
    dst->fx = src->fx;
    if (src->lo == src->slo) {
        memcpy(dst->slo, src->slo, sizeof(int64_t) * n);
        dst->lo = dst->slo;
    } else {
        dst->lo = src->lo;
    }
    if (hi_is_lo) {
        dst->hi = dst->lo;
    } else if (src->hi == src->shi) {
        memcpy(dst->shi, src->shi, sizeof(int64_t) * n);
        dst->hi = dst->shi;
    } else {
        dst->hi = src->hi;
    }
    if (src->t == src->st) {
        memcpy(dst->st, src->st, n);
        dst->t = dst->st;
    } else {
        dst->t = src->t;
    }
}

/* ---- bounded unknowns (uval.h) ------------------------------------------ */

static void f_mark(FCtx *c, int i, FBlk *o);

/* o's own arrays with hi apart from lo (a block of points made an
 * interval block, lo copied to hi), to write bounds into. */
static void f_unpoint(FCtx *c, FBlk *o)
{
    if (o->hi == o->lo) {
        memcpy(o->shi, o->lo, sizeof(int64_t) * (size_t)c->m);
        o->hi = o->shi;
    }
}

/* batch_refine_plain() of a node, or of item i (node NULL), cached. */
static int f_plain(FCtx *c, const Node *n, int i)
{
    if (!n && c->iplain[i]) {
        return c->iplain[i] - 1;
    }
    if (!n) {
        Node ref;
        memset(&ref, 0, sizeof ref);
        ref.kind = ND_ITEM;
        ref.fid = i;
        c->iplain[i] = (int8_t)(1 + batch_refine_plain(c->rs, &ref));
        return c->iplain[i] - 1;
    }
    const void *key = n ? (const void *)n : (const void *)&c->rs->items[i];
    size_t h = ((uintptr_t)key >> 4) % FP_SLOTS;
    Node ref;
    for (size_t k = 0; k < FP_SLOTS; k++) {
        size_t j = (h + k) % FP_SLOTS;
        if (c->pkey[j] == key) {
            return c->pval[j];
        }
        if (!c->pkey[j]) {
            c->pkey[j] = key;
            if (!n) {
                memset(&ref, 0, sizeof ref);
                ref.kind = ND_ITEM;
                ref.fid = i;
                n = &ref;
            }
            c->pval[j] = (int8_t)batch_refine_plain(c->rs, n);
            return c->pval[j];
        }
    }
    memset(&ref, 0, sizeof ref);
    ref.kind = ND_ITEM;
    ref.fid = i;
    return batch_refine_plain(c->rs, n ? n : &ref);
}

/* The node kinds whose kernels set FBlk.fx on every path. */
static int f_sets_fx(const Node *n)
{
    switch (n->kind) {
    case ND_NUM:
    case ND_BOOL:
    case ND_YEAR:
    case ND_ASOF:
    case ND_END_OF_YEAR:
    case ND_ITEM:
    case ND_SCALAR:
    case ND_BAND:
    case ND_CASES:
    case ND_CMP:
    case ND_ADD:
    case ND_SUB:
    case ND_MIN:
    case ND_MAX:
    case ND_AND:
    case ND_OR:
        return 1;
    default:
        return 0;
    }
}

/* What is known of the unknown rows of b, the value of node n (or of
 * item i when n is NULL): FBlk.fx where n's kernel sets it, else 2 when
 * no bound can reach n, else 0. */
static int f_bnd(FCtx *c, const Node *n, int i, const FBlk *b)
{
    if (!c->bounds) {
        return 0;
    }
    if ((!n || f_sets_fx(n)) && b->fx) {
        return b->fx;
    }
    return f_plain(c, n, i) ? 2 : 0;
}

/* The bounds of row r of an integer block b whose unknown rows are as
 * fx says (uv_has_lo / uv_has_hi): a known or expert value is its own
 * bounds, a pending manual one has none. */
static inline void f_bounds(const FBlk *b, int fx, int r, int *hl, int64_t *lo,
                            int *hh, int64_t *hi)
{
    int t = b->t[r];
    *lo = b->lo[r];
    *hi = b->hi[r];
    *hl = t == FT_OK || t == FT_E || (t == FT_U && fx == 1 && *lo != FB_NO_LO);
    *hh = t == FT_OK || t == FT_E || (t == FT_U && fx == 1 && *hi != FB_NO_HI);
}

/* The Val of row r of an integer block (fx as above) for uval.h. */
static Val f_uval(const FBlk *b, int fx, int r)
{
    int hl, hh;
    int64_t lo, hi;
    Val v;
    f_bounds(b, fx, r, &hl, &lo, &hh, &hi);
    if (b->t[r] != FT_U) {
        memset(&v, 0, sizeof v);
        v.tv = b->t[r] == FT_OK ? TV_OK : b->t[r] == FT_E ? TV_E : TV_M;
        v.lo = q_int(lo);
        v.hi = q_int(hi);
        return v;
    }
    v = uv_unknown((hl ? VU_LO : 0) | (hh ? VU_HI : 0));
    if (hl) {
        v.lo = q_int(lo);
    }
    if (hh) {
        v.hi = q_int(hi);
    }
    return v;
}

/* Row r of o takes the unknown value v (integer bounds): 0, or 1 when a
 * bound does not fit the block (the row goes to the exact path). */
static int f_put_uval(FCtx *c, FBlk *o, int r, const Val *v)
{
    int64_t lo = FB_NO_LO, hi = FB_NO_HI;
    if (v->tv != TV_U) { /* known (max / min of a known arm) */
        if (v->lo.d != 1 || v->hi.d != 1 || !fits64(v->lo.n) ||
            !fits64(v->hi.n)) {
            f_mark(c, r, o);
            return 1;
        }
        o->slo[r] = (int64_t)v->lo.n;
        o->shi[r] = (int64_t)v->hi.n;
        o->st[r] = v->tv == TV_OK ? FT_OK : v->tv == TV_E ? FT_E : FT_M;
        return 0;
    }
    if (v->u & VU_NA) {
        f_mark(c, r, o);
        return 1;
    }
    if (v->u & VU_LO) {
        if (v->lo.d != 1 || !fits64(v->lo.n) || v->lo.n == FB_NO_LO) {
            f_mark(c, r, o);
            return 1;
        }
        lo = (int64_t)v->lo.n;
    }
    if (v->u & VU_HI) {
        if (v->hi.d != 1 || !fits64(v->hi.n) || v->hi.n == FB_NO_HI) {
            f_mark(c, r, o);
            return 1;
        }
        hi = (int64_t)v->hi.n;
    }
    o->slo[r] = lo;
    o->shi[r] = hi;
    o->st[r] = FT_U;
    return 0;
}

/* An input column (values v, presence h; NULL as in BatchInput) for the
 * rows of the selection: read in place for a whole block, else gathered. */
static void f_column(FCtx *c, const int64_t *v, const uint8_t *h, FBlk *o)
{
    if (!v) {
        f_fill(c, o, 0, 0, FT_U);
        return;
    }
    v += c->base;
    h = h ? h + c->base : NULL;
    if (!c->ident) { /* a selection: gather */
        f_own_point(o);
        for (int i = 0, m = c->m; i < m; i++) {
            int r = c->sel[i];
            o->slo[i] = v[r];
            o->st[i] = (uint8_t)((h && h[r] == 0) * FT_U);
        }
        return;
    }
    /* the whole block: read the column in place */
    o->lo = o->hi = v;
    if (!h) {
        o->t = f_all_ok;
        return;
    }
    o->t = o->st;
    for (int i = 0, m = c->m; i < m; i++) {
        o->st[i] = (uint8_t)((h[i] == 0) * FT_U);
    }
}

/* Scalar field fid (as batch.c's scalar()): a row missing with an upper
 * bound above its value is an unknown within [value, bound], any other
 * missing row an unknown without bounds (fx 1). */
static void f_scalar(FCtx *c, int fid, FBlk *o)
{
    const int64_t *hb = c->in->shi[fid];
    const int8_t *v8 = c->in->sv8[fid];
    int any = 0;
    if (v8) { /* one byte per row: widened into the block */
        const uint8_t *h = c->in->shas[fid];
        f_own_point(o);
        for (int i = 0, m = c->m; i < m; i++) {
            size_t r = c->base + (size_t)(c->ident ? i : c->sel[i]);
            o->slo[i] = (int64_t)v8[r];
            o->st[i] = (uint8_t)((h && h[r] == 0) * FT_U);
        }
    } else {
        f_column(c, c->in->sv[fid], c->in->shas[fid], o);
    }
    o->fx = 0;
    if (!batch_scol(c->in, fid) || !c->bounds) {
        return; /* unknown everywhere, no bounds (fx 0: f_plain decides) */
    }
    for (int i = 0, m = c->m; i < m; i++) {
        any |= o->t[i] == FT_U;
    }
    if (any) {
        const int64_t *lo = o->lo;
        f_own(o); /* o->lo may be the column itself, read through lo */
        for (int i = 0, m = c->m; i < m; i++) {
            int r = c->ident ? i : c->sel[i];
            int64_t x = lo[i], h = hb ? hb[c->base + (size_t)r] : 0;
            o->slo[i] = x;
            o->shi[i] = x;
            if (o->st[i] == FT_U) {
                int b = hb && h > x;
                if (b && (x == FB_NO_LO || h == FB_NO_HI)) {
                    c->bail[r] = 1; /* not representable: the exact path */
                }
                o->slo[i] = b ? x : FB_NO_LO;
                o->shi[i] = b ? h : FB_NO_HI;
            }
        }
    }
    o->fx = 1;
}

/* Yearly field fid at year offset yoff (outside the window: unknown). */
static void f_field(FCtx *c, int fid, int yoff, FBlk *o)
{
    int s = RULE_YEARS - 1 + yoff;
    if (s < 0 || s >= RULE_YEARS) {
        f_fill(c, o, 0, 0, FT_U);
        return;
    }
    f_column(c, c->in->yv[fid][s], c->in->yhas[fid][s], o);
}

/* A yearly reference (field or derived) at absolute offset off, as
 * yearly_at. Returns out or an item block. */
static const FBlk *f_yearly(FCtx *c, const Node *ref, int off, FBlk *out)
{
    const FBlk *r;
    int save, k;
    if (ref->kind == ND_FIELD) {
        f_field(c, ref->fid, off, out);
        return out;
    }
    if (++c->depth > RULES_MAX_DEPTH) {
        c->all_bail = 1;
        c->depth--;
        f_fill(c, out, 0, 0, FT_U);
        return out;
    }
    save = c->yctx;
    c->yctx = off;
    r = fev(c, c->rs->derived[ref->fid].expr, out, &k);
    c->yctx = save;
    c->depth--;
    return r;
}

/* Year of a date: from the table of 1 January of FY_FIRST .. FY_LAST,
 * else date_to_ymd(). */
static int f_year_of(const FCtx *c, Date d)
{
    int y;
    if (d >= c->jan1[0] && d < c->jan1[FY_LAST - FY_FIRST]) {
        /* days / 365.25 is the year index or one less (at most four
         * non-leap century years in the table): one step up at most */
        int k = (int)(((int64_t)d - c->jan1[0]) * 4 / 1461);
        k += c->jan1[k + 1] <= d;
        return FY_FIRST + k;
    }
    date_to_ymd(d, &y, NULL, NULL);
    return y;
}

/* First year of operation of each row of the block (0: established
 * missing), computed once per block; index it by c->sel[i]. */
static const int *f_established_years(FCtx *c)
{
    int fid = c->p->estab_fid;
    if (!c->ey_ready) { /* once per block */
        int has = fid >= 0 && batch_scol(c->in, fid);
        const uint8_t *h = fid >= 0 ? c->in->shas[fid] : NULL;
        for (int k = 0; k < c->bm; k++) {
            size_t r = c->base + (size_t)k;
            c->ey[k] = has && (!h || h[r])
                           ? f_year_of(c, (Date)batch_sval(c->in, fid, r))
                           : 0;
        }
        c->ey_ready = 1;
    }
    return c->ey;
}

/* Rows where the operation did not fit in int64 go to the exact path. */
static void f_mark(FCtx *c, int i, FBlk *o)
{
    c->bail[c->sel[i]] = 1;
    o->st[i] = FT_U;
}

/* sum / sum_operating / avg_operating, as sum_years. */
static void f_sum(FCtx *c, const Node *n, FBlk *o)
{
    int a = n->yoff + c->yctx, b = n->yoff2 + c->yctx;
    int k0 = a, nk = b - a + 1, pushed = 0;
    const FBlk *ys[RULE_YEARS * 2 + 1];

    if (nk < 0) {
        nk = 0;
    }
    if (nk > RULE_YEARS * 2) {
        nk = RULE_YEARS * 2;
    }
    for (int k = 0; k < nk; k++) {
        FBlk *t = f_push(c);
        if (!t) {
            c->top -= pushed;
            f_fill(c, o, 0, 0, FT_U);
            return;
        }
        pushed++;
        ys[k] = f_yearly(c, n->a, k0 + k, t);
    }
    {
        int first[BLK], skip[BLK], marks[BLK], pts = 1, full = 1;
        int64_t ov[BLK]; /* overflow words (sign bit) */
        uint8_t t[BLK];
        int64_t *restrict lo = o->slo, *restrict hi = o->shi;
        f_own(o);
        /* the first year each row sums (operating years), then one pass
         * per year over the rows */
        const int *eys = n->op != SUMF_ALL ? f_established_years(c) : NULL;
        for (int i = 0, m = c->m; i < m; i++) {
            int ey = eys ? eys[c->sel[i]] : 1, fy = ey;
            if (ey && (n->op == SUMF_FULL || n->op == SUMF_AVG_FULL)) {
                /* the first full year: the year of the day before
                 * establishment, plus one */
                size_t r = c->base + (size_t)c->sel[i];
                fy = f_year_of(c, (Date)batch_sval(c->in, c->p->estab_fid, r) -
                                      1) +
                     1;
            }
            first[i] = sumf_first(n->op, a, b, c->in->year, ey, fy);
            marks[i] = SUMF_MARKS(n->op) && ey - c->in->year > a;
            /* established missing, or a year outside the window summed */
            skip[i] = ey == 0 || (b - k0 >= nk && first[i] <= b);
            full &= first[i] == a;
            lo[i] = hi[i] = 0;
            t[i] = FT_OK;
            ov[i] = 0;
        }
        for (int k = 0; k < nk; k++) {
            pts &= ys[k]->lo == ys[k]->hi;
        }
        /* one pass per year, branch-free; points (every year's hi is its
         * lo) sum lo alone. When every row sums every year (the usual
         * block), states and values take separate loops (each of one
         * lane width, vectorised on any instruction set). */
        for (int k = 0; k < nk; k++) {
            const int64_t *restrict yl = ys[k]->lo, *restrict yh = ys[k]->hi;
            const uint8_t *restrict yst = ys[k]->t;
            int yk = k0 + k, m = c->m;
            if (full) {
                for (int i = 0; i < m; i++) {
                    t[i] = t[i] > yst[i] ? t[i] : yst[i];
                }
                for (int i = 0; i < m; i++) {
                    ov[i] |= f_add_w(lo[i], yl[i], &lo[i]);
                }
                for (int i = 0; !pts && i < m; i++) {
                    ov[i] |= f_add_w(hi[i], yh[i], &hi[i]);
                }
                continue;
            }
            for (int i = 0; i < m; i++) {
                int64_t in = -(int64_t)(yk >= first[i]);
                uint8_t yt = (uint8_t)(yst[i] & in);
                t[i] = t[i] > yt ? t[i] : yt;
                ov[i] |= f_add_w(lo[i], yl[i] & in, &lo[i]);
                if (!pts) {
                    ov[i] |= f_add_w(hi[i], yh[i] & in, &hi[i]);
                }
            }
        }

        for (int i = 0, m = c->m; i < m; i++) {
            int count = first[i] <= b ? b - first[i] + 1 : 0;
            int ti = t[i];
            if (skip[i] || ti == FT_U) {
                o->st[i] = FT_U;
                continue;
            }
            if (ov[i] < 0) {
                f_mark(c, i, o);
                continue;
            }
            if (marks[i] && ti < FT_M) {
                ti = FT_M; /* fewer operating years than asked */
            }
            if (SUMF_IS_AVG(n->op)) {
                if (count == 0) {
                    o->st[i] = FT_U;
                    continue;
                }
                if (!pts && lo[i] != hi[i]) {
                    f_mark(c, i, o); /* an interval of fractions */
                    continue;
                }
                hi[i] = lo[i] == 0 ? 1 : count;
            }
            o->st[i] = (uint8_t)ti;
        }
        if (pts && !SUMF_IS_AVG(n->op)) {
            o->hi = o->lo; /* the sums of points */
        }
    }
    c->top -= pushed;
}

/* |x| < 2^40: growth's one-denominator form stays within 128 bits. */
static int f_small(int64_t x)
{
    return x > -((int64_t)1 << 40) && x < ((int64_t)1 << 40);
}

/* o = n / d (d != 0) as an unreduced fraction; 0 when it does not fit. */
static int f_frac(__int128 n, __int128 d, int64_t *on, int64_t *od)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    if (!fits64(n) || !fits64(d) || n == INT64_MIN) {
        return 0;
    }
    *on = (int64_t)n;
    *od = n == 0 ? 1 : (int64_t)d;
    return 1;
}

/* f_sum(), computed once per block row for each distinct sum of a field
 * over the same years: a selection whose rows all have the value takes
 * it from the slot (the value is copied out, never lent). */
static void f_sum_once(FCtx *c, const Node *n, FBlk *o)
{
    int a = n->yoff + c->yctx, b = n->yoff2 + c->yctx;
    /* a sum always has its operand (parser) */
    int fid = n->a->kind == ND_FIELD ? n->a->fid : -1;
    int k = 0, m = c->m, have = 1;
    FSumSlot *sl;
    unsigned stamp = c->stamp;
    if (fid < 0 || c->folding) {
        f_sum(c, n, o);
        return;
    }
    while (k < c->n_sums &&
           !(c->sums[k]->op == n->op && c->sums[k]->fid == fid &&
             c->sums[k]->a == a && c->sums[k]->b == b)) {
        k++;
    }
    if (k == c->n_sums) {
        if (k == FSUM_SLOTS) {
            f_sum(c, n, o);
            return;
        }
        c->sums[k] = xcalloc(1, sizeof(FSumSlot));
        c->sums[k]->op = n->op;
        c->sums[k]->fid = fid;
        c->sums[k]->a = a;
        c->sums[k]->b = b;
        c->n_sums++;
    }
    sl = c->sums[k];
    if (sl->blk_at != stamp) {
        have = 0; /* nothing kept in this block */
    } else if (c->ident) {
        for (int r = 0; r < m; r++) {
            have &= sl->at[r] == stamp;
        }
    } else {
        for (int j = 0; j < m; j++) {
            have &= sl->at[c->sel[j]] == stamp;
        }
    }
    if (have) {
        f_own(o);
        if (c->ident) {
            memcpy(o->slo, sl->lo, (size_t)m * sizeof o->slo[0]);
            memcpy(o->shi, sl->hi, (size_t)m * sizeof o->shi[0]);
            memcpy(o->st, sl->t, (size_t)m);
        } else {
            for (int j = 0; j < m; j++) {
                int r = c->sel[j];
                o->slo[j] = sl->lo[r];
                o->shi[j] = sl->hi[r];
                o->st[j] = sl->t[r];
            }
        }
        if (sl->pts_at == stamp) {
            o->hi = o->lo;
        }
        return;
    }
    f_sum(c, n, o);
    if (c->all_bail) {
        return;
    }
    if (sl->blk_at != stamp) { /* the first values kept in the block */
        sl->blk_at = stamp;
        sl->pts_at = stamp;
    }
    if (o->hi != o->lo) {
        sl->pts_at = 0;
    }
    if (c->ident) {
        memcpy(sl->lo, o->lo, (size_t)m * sizeof sl->lo[0]);
        memcpy(sl->hi, o->hi, (size_t)m * sizeof sl->hi[0]);
        memcpy(sl->t, o->t, (size_t)m);
        for (int r = 0; r < m; r++) {
            sl->at[r] = stamp;
        }
        return;
    }
    for (int j = 0; j < m; j++) {
        int r = c->sel[j];
        sl->lo[r] = o->lo[j];
        sl->hi[r] = o->hi[j];
        sl->t[r] = o->t[j];
        sl->at[r] = stamp;
    }
}

/* growth(), as growth() above: the same cases in the same order; the
 * one-denominator form only (other operands go to the exact path). */
static void f_growth(FCtx *c, const Node *n, FBlk *o)
{
    int a = n->yoff + c->yctx, marks = n->op == SUMF_ALL;
    FBlk *t1 = f_push(c), *t2 = f_push(c), *t3 = f_push(c);
    const FBlk *y1, *y2, *y3;
    if (!t1 || !t2 || !t3) {
        c->top -= (t1 != NULL) + (t2 != NULL) + (t3 != NULL);
        f_fill(c, o, 0, 0, FT_U);
        return;
    }
    y1 = f_yearly(c, n->a, a, t1);
    y2 = f_yearly(c, n->a, a + 1, t2);
    y3 = f_yearly(c, n->a, a + 2, t3);
    const int *eys = f_established_years(c);
    f_own(o);
    for (int i = 0, m = c->m; i < m; i++) {
        int ey = eys[c->sel[i]], years, t = FT_OK, fy = ey;
        int64_t v1 = y1->lo[i], v2 = y2->lo[i], v3 = y3->lo[i];
        int64_t gn = 0, gd = 1;
        if (ey == 0) {
            o->st[i] = FT_U;
            continue;
        }
        if (n->op == SUMF_FULL) {
            /* the first full year, as in f_sum() */
            size_t r = c->base + (size_t)c->sel[i];
            fy = f_year_of(c, (Date)batch_sval(c->in, c->p->estab_fid, r) - 1) +
                 1;
        }
        years = growth_years(n->op, a, c->in->year, ey, fy);
        if (years >= 3 &&
            (y1->t[i] != FT_OK || y2->t[i] != FT_OK || y3->t[i] != FT_OK)) {
            o->st[i] = FT_U;
            continue;
        }
        if (years == 2 && (y2->t[i] != FT_OK || y3->t[i] != FT_OK)) {
            o->st[i] = FT_U;
            continue;
        }
        if (years < 2) {
            t = marks ? FT_M : FT_OK;
        } else if (years == 2 || v1 == 0) {
            if (v2 != 0) {
                if (!f_small(v2) || !f_small(v3) ||
                    !f_frac((__int128)v3 - v2, v2, &gn, &gd)) {
                    c->bail[c->sel[i]] = 1;
                    o->st[i] = FT_U;
                    continue;
                }
            }
            if ((years == 2 && marks) || v2 < 0) {
                t = FT_M;
            }
        } else if (v2 != 0) {
            __int128 a1 = v1, a2 = v2, a3 = v3;
            if (!f_small(v1) || !f_small(v2) || !f_small(v3) ||
                !f_frac(a2 * a2 + a1 * a3 - 2 * a1 * a2, 2 * a1 * a2, &gn,
                        &gd)) {
                c->bail[c->sel[i]] = 1;
                o->st[i] = FT_U;
                continue;
            }
            if (v1 < 0 || v2 < 0) {
                t = FT_M;
            }
        }
        o->slo[i] = gn;
        o->shi[i] = gd;
        o->st[i] = (uint8_t)t;
    }
    c->top -= 3;
}

/* A band or cases arm with int64 bounds and value. */
typedef struct FArm {
    int is_else, has_lo, lo_incl, has_hi, hi_incl;
    int64_t lon, lod, hin, hid; /* bounds */
    int64_t vlo, vhi;           /* value: R bounds, or Q n and d */
} FArm;

/* The arms of n with int64 bounds (checked by arms_kind). */
static void f_arms(const Node *n, int kind, FArm *fa)
{
    for (int k = 0; k < n->n_arms; k++) {
        const BandArm *a = &n->arms[k];
        fa[k].is_else = a->is_else;
        fa[k].has_lo = a->has_lo;
        fa[k].lo_incl = a->lo_incl;
        fa[k].has_hi = a->has_hi;
        fa[k].hi_incl = a->hi_incl;
        fa[k].lon = a->has_lo ? (int64_t)a->lo.n : 0;
        fa[k].lod = a->has_lo ? (int64_t)a->lo.d : 1;
        fa[k].hin = a->has_hi ? (int64_t)a->hi.n : 0;
        fa[k].hid = a->has_hi ? (int64_t)a->hi.d : 1;
        fa[k].vlo = (int64_t)a->value->lo.n;
        fa[k].vhi =
            kind == FK_R ? (int64_t)a->value->hi.n : (int64_t)a->value->lo.d;
    }
}

/* Widen (lo, hi) by an arm value; 1 when a fraction would become an
 * interval (the row goes to the exact path). */
static inline int f_widen(int kind, int *any, int64_t *lo, int64_t *hi,
                          const FArm *a)
{
    if (!*any) {
        *lo = a->vlo;
        *hi = a->vhi;
        *any = 1;
        return 0;
    }
    if (kind == FK_R) {
        *lo = a->vlo < *lo ? a->vlo : *lo;
        *hi = a->vhi > *hi ? a->vhi : *hi;
        return 0;
    }
    return fcmp(*lo, *hi, a->vlo, a->vhi) != 0;
}

/* Arm x lies entirely below arm y. */
static int f_below(const FArm *x, const FArm *y)
{
    int k;
    if (!x->has_hi || !y->has_lo) {
        return 0;
    }
    k = fcmp(x->hin, x->hid, y->lon, y->lod);
    return k < 0 || (k == 0 && !(x->hi_incl && y->lo_incl));
}

/* No two bounded arms overlap: a point meets at most one of them. */
static int f_disjoint(const FArm *fa, int n)
{
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (!fa[i].is_else && !fa[j].is_else && !f_below(&fa[i], &fa[j]) &&
                !f_below(&fa[j], &fa[i])) {
                return 0;
            }
        }
    }
    return 1;
}

/* One row of band(): every arm the subject sln/sld .. shn/shd (state t,
 * not unknown) meets widens the value; with none, the else arms. */
static void f_band_row(FCtx *c, const FArm *fa, int na, int kind, int disjoint,
                       int64_t sln, int64_t sld, int64_t shn, int64_t shd,
                       int t, FBlk *o, int i)
{
    int64_t lo = 0, hi = 0;
    int any = 0, bad = 0;
    /* a point among disjoint arms: the first arm met is the only one */
    int one = disjoint && sln == shn && sld == shd;
    for (int k = 0; k < na; k++) {
        const FArm *a = &fa[k];
        if (a->is_else) {
            continue;
        }
        if (a->has_lo) {
            int x = fcmp(shn, shd, a->lon, a->lod);
            if (x < 0 || (x == 0 && !a->lo_incl)) {
                continue;
            }
        }
        if (a->has_hi) {
            int x = fcmp(sln, sld, a->hin, a->hid);
            if (x > 0 || (x == 0 && !a->hi_incl)) {
                continue;
            }
        }
        bad |= f_widen(kind, &any, &lo, &hi, a);
        if (one) {
            break;
        }
    }
    for (int k = 0; k < na && !any; k++) {
        if (fa[k].is_else) {
            bad |= f_widen(kind, &any, &lo, &hi, &fa[k]);
        }
    }
    if (bad) {
        c->bail[c->sel[i]] = 1;
        o->st[i] = FT_U;
        return;
    }
    o->slo[i] = lo;
    o->shi[i] = hi;
    o->st[i] = any ? (uint8_t)t : FT_U;
}

/* A band of disjoint bounded arms (at most one else arm) as cuts: every
 * bound of an arm is a predicate "x >= v" or "x > v" (an upper bound
 * "x <= v" is "not x > v", "x < v" is "not x >= v"). Sorted by v, and
 * ">=" before ">" at equal v, the predicates a point x meets are a
 * prefix; their number idx picks the value from a table made once: the
 * arm whose lower predicate is before idx and whose upper one is not
 * (disjoint arms: at most one), else the else arm, else none. */
typedef struct FCuts {
    int ok;                         /* usable (else per row) */
    int n;                          /* predicates */
    int64_t vn[2 * RULES_MAX_ARMS]; /* v = vn / vd, vd > 0 */
    int64_t vd[2 * RULES_MAX_ARMS];
    uint8_t strict[2 * RULES_MAX_ARMS];  /* x > v (else x >= v) */
    int n_int;                           /* integer subjects: x >= thr[j], */
    int64_t thr[2 * RULES_MAX_ARMS];     /* for j < n_int; later ones never */
    int64_t tlo[2 * RULES_MAX_ARMS + 1]; /* value by idx */
    int64_t thi[2 * RULES_MAX_ARMS + 1];
    uint8_t thas[2 * RULES_MAX_ARMS + 1];
} FCuts;

/* Order of predicates (vn/vd, strict): by value, ">=" first. */
static int f_cut_cmp(int64_t an, int64_t ad, int as, int64_t bn, int64_t bd,
                     int bs)
{
    int k = fcmp(an, ad, bn, bd);
    return k ? k : as - bs;
}

/* Index of predicate (vn/vd, strict) in the sorted list. */
static int f_cut_find(const FCuts *t, int64_t vn, int64_t vd, int strict)
{
    for (int j = 0; j < t->n; j++) {
        if (f_cut_cmp(t->vn[j], t->vd[j], t->strict[j], vn, vd, strict) == 0) {
            return j;
        }
    }
    return -1;
}

/* Add predicate (vn/vd, strict) in order, once. */
static void f_cut_add(FCuts *t, int64_t vn, int64_t vd, int strict)
{
    int j = 0;
    while (j < t->n &&
           f_cut_cmp(t->vn[j], t->vd[j], t->strict[j], vn, vd, strict) < 0) {
        j++;
    }
    if (j < t->n &&
        f_cut_cmp(t->vn[j], t->vd[j], t->strict[j], vn, vd, strict) == 0) {
        return;
    }
    memmove(&t->vn[j + 1], &t->vn[j], sizeof(int64_t) * (size_t)(t->n - j));
    memmove(&t->vd[j + 1], &t->vd[j], sizeof(int64_t) * (size_t)(t->n - j));
    memmove(&t->strict[j + 1], &t->strict[j], (size_t)(t->n - j));
    t->vn[j] = vn;
    t->vd[j] = vd;
    t->strict[j] = (uint8_t)strict;
    t->n++;
}

/* The cut table of band n (arm values of kind kind); ok 0 when its
 * bounded arms overlap or it has more than one else arm. */
static FCuts *f_cuts_make(const Node *n, int kind)
{
    FCuts *t = xcalloc(1, sizeof *t);
    FArm fa[RULES_MAX_ARMS];
    int has_else = 0, na = n->n_arms;
    int64_t elo = 0, ehi = 0;
    f_arms(n, kind, fa);
    for (int k = 0; k < na; k++) {
        has_else += fa[k].is_else;
    }
    if (has_else > 1 || !f_disjoint(fa, na)) {
        return t; /* ok = 0 */
    }
    t->ok = 1;
    has_else = 0;
    for (int k = 0; k < na; k++) {
        if (fa[k].is_else) {
            has_else = 1;
            elo = fa[k].vlo;
            ehi = fa[k].vhi;
            continue;
        }
        if (fa[k].has_lo) {
            f_cut_add(t, fa[k].lon, fa[k].lod, !fa[k].lo_incl);
        }
        if (fa[k].has_hi) {
            f_cut_add(t, fa[k].hin, fa[k].hid, fa[k].hi_incl);
        }
    }
    for (int i = 0; i <= t->n; i++) {
        t->tlo[i] = elo;
        t->thi[i] = ehi;
        t->thas[i] = (uint8_t)has_else;
    }
    for (int k = 0; k < na; k++) {
        const FArm *a = &fa[k];
        int jl = -1, ju = t->n;
        if (a->is_else) {
            continue;
        }
        if (a->has_lo) {
            jl = f_cut_find(t, a->lon, a->lod, !a->lo_incl);
        }
        if (a->has_hi) {
            ju = f_cut_find(t, a->hin, a->hid, a->hi_incl);
        }
        for (int i = jl + 1; i <= ju; i++) {
            t->tlo[i] = a->vlo;
            t->thi[i] = a->vhi;
            t->thas[i] = 1;
        }
    }
    /* integer x: x >= v is x >= ceil(v), x > v is x >= floor(v) + 1;
     * thresholds beyond INT64_MAX are met by no x (they sort last) */
    for (int j = 0; j < t->n; j++) {
        __int128 q = t->vn[j] / t->vd[j], r = t->vn[j] % t->vd[j];
        __int128 th = t->strict[j] ? q - (r < 0) + 1 : q + (r > 0);
        if (th > INT64_MAX) {
            break;
        }
        t->thr[j] = th < INT64_MIN ? INT64_MIN : (int64_t)th;
        t->n_int = j + 1;
    }
    return t;
}

/* The cut table of band node n, made once per thread; NULL when the
 * cache is full. */
static const FCuts *f_cuts(FCtx *c, const Node *n, int kind)
{
    size_t h = ((uintptr_t)n >> 4) % FC_SLOTS;
    for (size_t k = 0; k < FC_SLOTS; k++) {
        size_t i = (h + k) % FC_SLOTS;
        if (c->bkey[i] == n) {
            return c->bcut[i];
        }
        if (!c->bkey[i]) {
            c->bkey[i] = n;
            c->bcut[i] = f_cuts_make(n, kind);
            return c->bcut[i];
        }
    }
    return NULL;
}

/* band() over a point subject sn/sd (sd NULL: integers) by its cut table:
 * exactly f_band_row() for a point among disjoint arms. Branch-free; rows
 * whose subject is not a point (slo != shi) are left to the caller. */
static void f_band_points(int m, const FCuts *t, const int64_t *restrict sn,
                          const int64_t *restrict sd,
                          const uint8_t *restrict st, FBlk *o)
{
    uint8_t idx[BLK];
    memset(idx, 0, (size_t)m);
    if (!sd) {
        for (int j = 0; j < t->n_int; j++) {
            int64_t th = t->thr[j];
            for (int i = 0; i < m; i++) {
                idx[i] += (uint8_t)(sn[i] >= th);
            }
        }
    } else {
        for (int j = 0; j < t->n; j++) {
            int64_t vn = t->vn[j], vd = t->vd[j];
            int strict = t->strict[j];
            for (int i = 0; i < m; i++) {
                __int128 x = (__int128)sn[i] * vd, y = (__int128)vn * sd[i];
                idx[i] += (uint8_t)(strict ? x > y : x >= y);
            }
        }
    }
    for (int i = 0; i < m; i++) {
        int k = idx[i], tt = st[i];
        o->slo[i] = t->tlo[k];
        o->shi[i] = t->thi[k];
        o->st[i] = (uint8_t)(tt == FT_U || !t->thas[k] ? FT_U : tt);
    }
}

/* band(), as band() above; kind is that of the arm values. */
static void f_band_core(FCtx *c, const Node *n, FBlk *o, int kind,
                        const FBlk *s, int ks);

/* band(s) over the block (f_band_core), then the unknown rows as eval.c
 * gives them (uv_band: the arms an unknown subject's bounds meet, an
 * unknown without bounds where no arm is met) when the subject's are
 * known and the arms integers (fx 1). */
static void f_band(FCtx *c, const Node *n, FBlk *o, int kind)
{
    int ks, sb, nu = 0;
    const FBlk *s = fev(c, n->a, o, &ks);
    int uidx[BLK];
    int64_t ulo[BLK], uhi[BLK];
    uint8_t su[BLK];
    Val all;

    sb = kind == FK_R && c->bounds ? f_bnd(c, n->a, -1, s) : 0;
    if (ks == FK_Q && sb == 1) {
        sb = 0; /* fractions carry no bounds */
    }
    if (sb) { /* s may be o: keep the subject's unknown rows */
        for (int i = 0, m = c->m; i < m; i++) {
            su[i] = s->t[i] == FT_U;
        }
        for (int i = 0, m = c->m; sb == 1 && ks == FK_R && i < m; i++) {
            uidx[nu] = i;
            ulo[nu] = s->lo[i];
            uhi[nu] = s->hi[i];
            nu += s->t[i] == FT_U;
        }
    }
    f_band_core(c, n, o, kind, s, ks);
    o->fx = 0;
    if (!sb) {
        return;
    }
    {
        Val x = uv_unknown(0);
        all = uv_band(n, &x); /* a subject without bounds */
    }
    f_unpoint(c, o);
    if (!(all.u & VU_NA) &&
        (!(all.u & VU_LO) ||
         (all.lo.d == 1 && fits64(all.lo.n) && all.lo.n != FB_NO_LO)) &&
        (!(all.u & VU_HI) ||
         (all.hi.d == 1 && fits64(all.hi.n) && all.hi.n != FB_NO_HI))) {
        /* unknown rows: all's bounds, or none where no arm was met (a
         * known subject); other rows kept. Branch-free. */
        int64_t alo = all.u & VU_LO ? (int64_t)all.lo.n : FB_NO_LO;
        int64_t ahi = all.u & VU_HI ? (int64_t)all.hi.n : FB_NO_HI;
        int64_t *restrict ol = o->slo, *restrict oh = o->shi;
        const uint8_t *restrict ot = o->st;
        for (int i = 0, m = c->m; i < m; i++) {
            int u = ot[i] == FT_U;
            int64_t l = su[i] ? alo : FB_NO_LO, h = su[i] ? ahi : FB_NO_HI;
            ol[i] = u ? l : ol[i];
            oh[i] = u ? h : oh[i];
        }
    } else {
        for (int i = 0, m = c->m; i < m; i++) {
            if (o->st[i] != FT_U || c->bail[c->sel[i]]) {
                continue;
            }
            if (!su[i]) { /* no arm met: unknown, no bounds */
                o->slo[i] = FB_NO_LO;
                o->shi[i] = FB_NO_HI;
                continue;
            }
            f_put_uval(c, o, i, &all);
        }
    }
    for (int j = 0; j < nu; j++) { /* subjects with bounds */
        int i = uidx[j];
        Val x = uv_unknown((ulo[j] != FB_NO_LO ? VU_LO : 0) |
                           (uhi[j] != FB_NO_HI ? VU_HI : 0));
        Val r;
        if (c->bail[c->sel[i]]) {
            continue;
        }
        if (x.u & VU_LO) {
            x.lo = q_int(ulo[j]);
        }
        if (x.u & VU_HI) {
            x.hi = q_int(uhi[j]);
        }
        r = uv_band(n, &x);
        f_put_uval(c, o, i, &r);
    }
    o->fx = 1;
}

static void f_band_core(FCtx *c, const Node *n, FBlk *o, int kind,
                        const FBlk *s, int ks)
{
    FArm fa[RULES_MAX_ARMS];
    int np = 0;
    const FCuts *cuts = f_cuts(c, n, kind);
    const int64_t *slo = s->lo, *shi = s->hi;
    const uint8_t *st = s->t;
    int pidx[BLK];
    int64_t plo[BLK], phi[BLK];
    uint8_t pt[BLK];

    if (!cuts || !cuts->ok) {
        f_arms(n, kind, fa);
        f_own(o); /* s may be o: read through slo, shi, st */
        for (int i = 0, m = c->m; i < m; i++) {
            int64_t sln = slo[i], sld = 1, shn = shi[i], shd = 1;
            if (st[i] == FT_U) {
                o->st[i] = FT_U;
                continue;
            }
            if (ks == FK_Q) {
                sld = shd = shi[i];
                shn = sln;
            }
            f_band_row(c, fa, n->n_arms, kind, 0, sln, sld, shn, shd, st[i], o,
                       i);
        }
        return;
    }
    /* integer intervals that are not points: kept for f_band_row() (s
     * may be o, overwritten below) */
    if (ks == FK_R && slo != shi) {
        for (int i = 0, m = c->m; i < m; i++) {
            pidx[np] = i;
            plo[np] = slo[i];
            phi[np] = shi[i];
            pt[np] = st[i];
            np += slo[i] != shi[i] && st[i] != FT_U;
        }
    }
    f_own(o);
    f_band_points(c->m, cuts, slo, ks == FK_Q ? shi : NULL, st, o);
    if (np) {
        f_arms(n, kind, fa);
    }
    for (int j = 0; j < np; j++) {
        f_band_row(c, fa, n->n_arms, kind, 1, plo[j], 1, phi[j], 1, pt[j], o,
                   pidx[j]);
    }
}

/* cases, as cases() above (every condition evaluated, then per row). */
static void f_cases(FCtx *c, const Node *n, FBlk *o, int kind)
{
    FArm fa[RULES_MAX_ARMS];
    const FBlk *conds[RULES_MAX_ARMS];
    int na = n->n_arms, pushed = 0, ub = kind == FK_R && c->bounds;
    f_arms(n, kind, fa);
    for (int k = 0; k < na; k++) {
        conds[k] = NULL;
        if (n->arms[k].cond) {
            FBlk *t = f_push(c);
            int kk;
            if (!t) {
                c->top -= pushed;
                f_fill(c, o, 0, 0, FT_U);
                return;
            }
            pushed++;
            conds[k] = fev(c, n->arms[k].cond, t, &kk);
            ub &= f_bnd(c, n->arms[k].cond, -1, conds[k]) != 0;
        }
    }
    /* ub: every condition's unknown rows are eval.c's, and the arms
     * integers: an unknown condition widens to its arm and the result is
     * unknown within the arms it may take (fx 1); else that row is
     * unknown and left to f_refine */
    f_own(o);
    o->fx = ub;
    for (int i = 0, m = c->m; i < m; i++) {
        int64_t lo = 0, hi = 0;
        int any = 0, pending = FT_OK, done = 0, bad = 0, t = FT_U;
        for (int k = 0; k < na; k++) {
            int kt = conds[k] ? conds[k]->t[i] : FT_OK;
            int kv = conds[k] ? conds[k]->lo[i] != 0 : 1;
            if (kt == FT_U && ub) {
                bad |= f_widen(kind, &any, &lo, &hi, &fa[k]);
                pending = FT_U;
                continue;
            }
            if (kt == FT_U) {
                lo = hi = 0;
                t = FT_U;
                done = 1;
                break;
            }
            if (kt == FT_OK && !kv) {
                continue;
            }
            bad |= f_widen(kind, &any, &lo, &hi, &fa[k]);
            if (kt == FT_OK) {
                t = pending;
                done = 1;
                break;
            }
            pending = pending > kt ? pending : kt;
        }
        if (!done) {
            t = any ? pending : FT_U;
        }
        if (ub && t == FT_U && !any) {
            lo = FB_NO_LO;
            hi = FB_NO_HI;
        } else if (ub && t == FT_U && (lo == FB_NO_LO || hi == FB_NO_HI)) {
            bad = 1;
        }
        if (bad) {
            c->bail[c->sel[i]] = 1;
            t = FT_U;
        }
        o->slo[i] = lo;
        o->shi[i] = hi;
        o->st[i] = (uint8_t)t;
    }
    c->top -= pushed;
}

/* One comparison row: 1 all, 0 none, else pending (as compare()). */
static inline __attribute__((always_inline)) int
f_cmp_row(int op, int64_t aln, int64_t ald, int64_t ahn, int64_t ahd,
          int64_t bln, int64_t bld, int64_t bhn, int64_t bhd)
{
    int all, none;
    switch (op) {
    case CMP_GE:
        all = fcmp(aln, ald, bhn, bhd) >= 0;
        none = fcmp(ahn, ahd, bln, bld) < 0;
        break;
    case CMP_GT:
        all = fcmp(aln, ald, bhn, bhd) > 0;
        none = fcmp(ahn, ahd, bln, bld) <= 0;
        break;
    case CMP_LE:
        all = fcmp(ahn, ahd, bln, bld) <= 0;
        none = fcmp(aln, ald, bhn, bhd) > 0;
        break;
    case CMP_LT:
        all = fcmp(ahn, ahd, bln, bld) < 0;
        none = fcmp(aln, ald, bhn, bhd) >= 0;
        break;
    case CMP_EQ:
        all = fcmp(aln, ald, ahn, ahd) == 0 && fcmp(bln, bld, bhn, bhd) == 0 &&
              fcmp(aln, ald, bln, bld) == 0;
        none = fcmp(ahn, ahd, bln, bld) < 0 || fcmp(aln, ald, bhn, bhd) > 0;
        break;
    default: /* CMP_NE */
        none = fcmp(aln, ald, ahn, ahd) == 0 && fcmp(bln, bld, bhn, bhd) == 0 &&
               fcmp(aln, ald, bln, bld) == 0;
        all = fcmp(ahn, ahd, bln, bld) < 0 || fcmp(aln, ald, bhn, bhd) > 0;
        break;
    }
    return all ? 1 : none ? 0 : 2;
}

/* The operands' values, taken before the output is written (it may be
 * one of them). */
typedef struct FIn {
    const int64_t *lo, *hi;
    const uint8_t *t;
} FIn;

static FIn f_in(const FBlk *a)
{
    FIn x;
    x.lo = a->lo;
    x.hi = a->hi;
    x.t = a->t;
    return x;
}

/* Integer comparison over the block; op is a constant at each call. */
static inline __attribute__((always_inline)) void
f_cmp_ints(FCtx *c, int op, FIn a, FIn b, FBlk *o)
{
    f_own_point(o);
    /* f_cmp_row() with unit denominators, written without branches (the
     * outcomes of real data are not predictable) */
    for (int i = 0, m = c->m; i < m; i++) {
        int t = a.t[i] > b.t[i] ? a.t[i] : b.t[i];
        int64_t al = a.lo[i], ah = a.hi[i], bl = b.lo[i], bh = b.hi[i];
        int all, none, miss = t >= FT_M;
        switch (op) {
        case CMP_GE:
            all = al >= bh;
            none = ah < bl;
            break;
        case CMP_GT:
            all = al > bh;
            none = ah <= bl;
            break;
        case CMP_LE:
            all = ah <= bl;
            none = al > bh;
            break;
        case CMP_LT:
            all = ah < bl;
            none = al >= bh;
            break;
        case CMP_EQ:
            all = (al == ah) & (bl == bh) & (al == bl);
            none = (ah < bl) | (al > bh);
            break;
        default: /* CMP_NE */
            none = (al == ah) & (bl == bh) & (al == bl);
            all = (ah < bl) | (al > bh);
            break;
        }
        o->slo[i] = (!miss) & all;
        o->st[i] = (uint8_t)(miss ? t : !(all | none)); /* FT_E : FT_OK */
    }
}

/* Comparison of two points a and b, each an integer (lo) or a fraction
 * (lo / hi): f_cmp_row() for points, where "all" and "none" are
 * complements. op, ka and kb are constants at each call. */
static inline __attribute__((always_inline)) void
f_cmp_points(FCtx *c, int op, int ka, int kb, FIn a, FIn b, FBlk *o)
{
    f_own_point(o);
    for (int i = 0, m = c->m; i < m; i++) {
        int t = a.t[i] > b.t[i] ? a.t[i] : b.t[i];
        __int128 x = (__int128)a.lo[i] * (kb == FK_Q ? b.hi[i] : 1);
        __int128 y = (__int128)b.lo[i] * (ka == FK_Q ? a.hi[i] : 1);
        int all, miss = t >= FT_M;
        switch (op) {
        case CMP_GE:
            all = x >= y;
            break;
        case CMP_GT:
            all = x > y;
            break;
        case CMP_LE:
            all = x <= y;
            break;
        case CMP_LT:
            all = x < y;
            break;
        case CMP_EQ:
            all = x == y;
            break;
        default: /* CMP_NE */
            all = x != y;
            break;
        }
        o->slo[i] = (!miss) & all;
        o->st[i] = (uint8_t)(miss ? t : FT_OK);
    }
}

/* f_cmp_ints() or f_cmp_points(), one loop per operator (op constant). */
static inline __attribute__((always_inline)) void
f_cmp_fast(FCtx *c, int op, int ints, int ka, int kb, FIn a, FIn b, FBlk *o)
{
    if (ints) {
        f_cmp_ints(c, op, a, b, o);
    } else {
        f_cmp_points(c, op, ka, kb, a, b, o);
    }
}

/* o = a op b (as compare()); operands of either kind. */
static void f_compare(FCtx *c, int op, const FBlk *pa, int ka, const FBlk *pb,
                      int kb, FBlk *o)
{
    FIn a = f_in(pa), b = f_in(pb);
    /* integers (denominators 1); or two points, one or both fractions (a
     * fraction is a point; an integer block whose hi is its lo is one):
     * the sign of one cross-multiplied difference decides, no row is
     * pending */
    int ints = ka == FK_R && kb == FK_R;
    if (ints ||
        ((ka == FK_Q || a.lo == a.hi) && (kb == FK_Q || b.lo == b.hi))) {
        /* one call per operator on purpose: each passes a constant, so the
         * inlined f_cmp_fast becomes a loop with no per-row operator test */
        switch (op) {
        case CMP_GE:
            f_cmp_fast(c, CMP_GE, ints, ka, kb, a, b, o);
            break;
        case CMP_GT:
            f_cmp_fast(c, CMP_GT, ints, ka, kb, a, b, o);
            break;
        case CMP_LE:
            f_cmp_fast(c, CMP_LE, ints, ka, kb, a, b, o);
            break;
        case CMP_LT:
            f_cmp_fast(c, CMP_LT, ints, ka, kb, a, b, o);
            break;
        case CMP_EQ:
            f_cmp_fast(c, CMP_EQ, ints, ka, kb, a, b, o);
            break;
        default:
            f_cmp_fast(c, CMP_NE, ints, ka, kb, a, b, o);
            break;
        }
        return;
    }
    f_own_point(o);
    for (int i = 0, m = c->m; i < m; i++) {
        int t = a.t[i] > b.t[i] ? a.t[i] : b.t[i], r;
        int64_t aln = a.lo[i], ald = 1, ahn = a.hi[i], ahd = 1;
        int64_t bln = b.lo[i], bld = 1, bhn = b.hi[i], bhd = 1;
        if (t >= FT_M) {
            o->slo[i] = 0;
            o->st[i] = (uint8_t)t;
            continue;
        }
        if (ka == FK_Q) {
            ald = ahd = ahn;
            ahn = aln;
        }
        if (kb == FK_Q) {
            bld = bhd = bhn;
            bhn = bln;
        }
        r = f_cmp_row(op, aln, ald, ahn, ahd, bln, bld, bhn, bhd);
        o->slo[i] = r == 1;
        o->st[i] = r == 2 ? FT_E : FT_OK;
    }
}

/* o = a AND / OR b (as logic()); o may be a or b. A dominating operand
 * (false for AND, true for OR) decides; else the joined state, and the
 * other value when both are known. Written without branches, one loop
 * per operator, so that it is vectorised. */
static inline __attribute__((always_inline)) void
f_logic_op(int m, int dom, FIn a, FIn b, FBlk *o)
{
    for (int i = 0; i < m; i++) {
        int ta = a.t[i], tb = b.t[i];
        int t = ta > tb ? ta : tb;
        int va = a.lo[i] != 0, vb = b.lo[i] != 0;
        int d = ((ta == FT_OK) & (va == dom)) | ((tb == FT_OK) & (vb == dom));
        o->slo[i] = dom ? d : (!d) & (t == FT_OK);
        o->st[i] = (uint8_t)(t & -(!d));
    }
}

static void f_logic(FCtx *c, int kind, const FBlk *pa, const FBlk *pb, FBlk *o)
{
    FIn a = f_in(pa), b = f_in(pb);
    f_own_point(o);
    if (kind == ND_AND) {
        f_logic_op(c->m, 0, a, b, o);
    } else {
        f_logic_op(c->m, 1, a, b, o);
    }
}

/* o = a kind b for + - * / max min add_years days_between (as arith()
 * and binary()); / gives a fraction. */
static void f_arith(FCtx *c, int kind, const FBlk *pa, const FBlk *pb, FBlk *o)
{
    FIn a = f_in(pa), b = f_in(pb);
    int m = c->m;
    int64_t *lo = o->slo, *hi = o->shi;
    uint8_t *ot = o->st;
    f_own(o);
    /* the state first (unknown absorbs), then the values of the others */
    for (int i = 0; i < m; i++) {
        ot[i] = a.t[i] > b.t[i] ? a.t[i] : b.t[i];
    }
    switch (kind) {
    case ND_ADD:
    case ND_SUB: {
        /* overflow words from the sign bits (64-bit lanes only, so
         * vectorised on any instruction set), rows marked after */
        int64_t ov[BLK], any = 0;
        const int64_t *restrict al = a.lo, *restrict ah = a.hi;
        const int64_t *restrict bl = b.lo, *restrict bh = b.hi;
        int64_t *restrict ol = lo, *restrict oh = hi;
        int sub = kind == ND_SUB;
        if (al == ah && bl == bh) { /* points: hi is lo */
            f_own_point(o);
            if (sub) {
                for (int i = 0; i < m; i++) {
                    ov[i] = f_sub_w(al[i], bl[i], &ol[i]);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    ov[i] = f_add_w(al[i], bl[i], &ol[i]);
                }
            }
        } else if (sub) {
            for (int i = 0; i < m; i++) {
                int64_t x = al[i], y = bh[i], u = ah[i], v = bl[i];
                ov[i] = f_sub_w(x, y, &ol[i]) | f_sub_w(u, v, &oh[i]);
            }
        } else {
            for (int i = 0; i < m; i++) {
                int64_t x = al[i], y = bl[i], u = ah[i], v = bh[i];
                ov[i] = f_add_w(x, y, &ol[i]) | f_add_w(u, v, &oh[i]);
            }
        }
        for (int i = 0; i < m; i++) {
            any |= ov[i];
        }
        for (int i = 0; any < 0 && i < m; i++) {
            if (ov[i] < 0 && ot[i] != FT_U) {
                f_mark(c, i, o);
            }
        }
        break;
    }
    case ND_MUL:
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], ah = a.hi[i], bl = b.lo[i], bh = b.hi[i];
            int64_t x[4], l, h;
            int bad = __builtin_mul_overflow(al, bl, &x[0]) |
                      __builtin_mul_overflow(al, bh, &x[1]) |
                      __builtin_mul_overflow(ah, bl, &x[2]) |
                      __builtin_mul_overflow(ah, bh, &x[3]);
            l = h = x[0];
            for (int k = 1; k < 4; k++) {
                l = x[k] < l ? x[k] : l;
                h = x[k] > h ? x[k] : h;
            }
            lo[i] = l;
            hi[i] = h;
            if (bad && ot[i] != FT_U) {
                f_mark(c, i, o);
            }
        }
        break;
    case ND_DIV: /* to a fraction: n in lo, d in hi */
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], ah = a.hi[i], bl = b.lo[i], bh = b.hi[i];
            if (ot[i] == FT_U) {
                continue;
            }
            if (bl <= 0 && bh >= 0) {
                ot[i] = FT_U; /* the divisor is (or may be) zero */
                continue;
            }
            if (al != ah || bl != bh || al == INT64_MIN || bl == INT64_MIN) {
                f_mark(c, i, o);
                continue;
            }
            lo[i] = bl < 0 ? -al : al;
            hi[i] = al == 0 ? 1 : bl < 0 ? -bl : bl;
        }
        break;
    case ND_MAX:
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], ah = a.hi[i], bl = b.lo[i], bh = b.hi[i];
            lo[i] = al > bl ? al : bl;
            hi[i] = ah > bh ? ah : bh;
        }
        break;
    case ND_MIN:
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], ah = a.hi[i], bl = b.lo[i], bh = b.hi[i];
            lo[i] = al < bl ? al : bl;
            hi[i] = ah < bh ? ah : bh;
        }
        break;
    case ND_ADD_YEARS:
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], bl = b.lo[i];
            if (a.t[i] != FT_OK || b.t[i] != FT_OK) {
                ot[i] = FT_U;
                continue;
            }
            lo[i] = hi[i] = batch_add_years((Date)al, bl);
        }
        break;
    default: /* ND_DAYS_BETWEEN */
        for (int i = 0; i < m; i++) {
            int64_t al = a.lo[i], bl = b.lo[i];
            if (a.t[i] != FT_OK || b.t[i] != FT_OK) {
                ot[i] = FT_U;
                continue;
            }
            lo[i] = hi[i] = (int64_t)((__int128)bl - al);
        }
        break;
    }
}

static const FBlk *f_item(FCtx *c, int i);

/* arms_kind(n) (which 0) or node_cost(p, n, 0) (which 1), memoised per
 * thread: they depend on the rule set alone, and were computed again at
 * every call (a band's or an and / or operand's, per block and
 * selection). */
static int f_memo(FCtx *c, const Node *n, int which)
{
    size_t h = (((uintptr_t)n >> 4) * 2 + (size_t)which) % FM_SLOTS;
    for (size_t k = 0; k < FM_SLOTS; k++) {
        size_t i = (h + k) % FM_SLOTS;
        if (c->mkey[i] == n && c->mwhich[i] == which) {
            return c->mval[i];
        }
        if (!c->mkey[i]) {
            c->mkey[i] = n;
            c->mwhich[i] = (uint8_t)which;
            c->mval[i] = which ? node_cost(c->p, n, 0) : arms_kind(n);
            return c->mval[i];
        }
    }
    return which ? node_cost(c->p, n, 0) : arms_kind(n);
}

/* out = a AND / OR b, where b is node bn or else item bi. With
 * c->shortcut, b is evaluated only for the rows a does not decide (a
 * false for AND, a true for OR: logic() gives that value whatever b is),
 * as a selection one level deeper; the values of b for the other rows
 * cannot change the result. out may be a. */
static void f_andor_in(FCtx *c, int kind, const FBlk *a, const Node *bn, int bi,
                       FBlk *out, int *bfx);

/* f_andor_in(), and out->fx: the state of a and b is eval.c's (afx: a's
 * f_bnd), so is out's, and an unknown boolean has no bounds (fx 2). */
static void f_andor(FCtx *c, int kind, const FBlk *a, int afx, const Node *bn,
                    int bi, FBlk *out)
{
    int bfx = 0;
    f_andor_in(c, kind, a, bn, bi, out, &bfx);
    out->fx = afx && bfx ? 2 : 0;
}

static void f_andor_in(FCtx *c, int kind, const FBlk *a, const Node *bn, int bi,
                       FBlk *out, int *bfx)
{
    int dom = kind == ND_AND ? 0 : 1, m = c->m, nk = 0, kb;
    int keep[BLK], csel[BLK];
    const int *psel = c->sel;
    int pident = c->ident;
    unsigned pgen = c->gen;
    FBlk *ta, *tb;
    const FBlk *b;
    int cost = bn ? f_memo(c, bn, 1) : bi >= 0 ? c->p->icost[bi] : 0;
    int scan =
        c->shortcut && c->sdepth + 1 < FS_MAX_DEPTH && cost >= FS_MIN_COST;

    if (scan) {
        /* the decided rows counted first (a loop the compiler vectorises);
         * the kept rows listed only for a selection */
        int nd = 0;
        const uint8_t *restrict at = a->t;
        const int64_t *restrict al = a->lo;
        for (int i = 0; i < m; i++) {
            nd += (at[i] == FT_OK) & ((al[i] != 0) == dom);
        }
        if (nd == m) {
            f_fill(c, out, dom, dom, FT_OK);
            *bfx = 1;
            return;
        }
        /* a selection costs a gather per column: worth it when a quarter
         * of the rows or more are decided, and FS_MIN_DROP rows or more */
        scan = nd >= m / 4 && nd >= FS_MIN_DROP;
    }
    if (!scan) {
        if (!(tb = f_push(c))) {
            f_fill(c, out, 0, 0, FT_U);
            return;
        }
        b = bn ? fev(c, bn, tb, &kb) : f_item(c, bi);
        *bfx = f_bnd(c, bn, bi, b);
        f_logic(c, kind, a, b, out);
        c->top--;
        return;
    }
    for (int i = 0; i < m; i++) {
        keep[nk] = i;
        nk += !(a->t[i] == FT_OK && (a->lo[i] != 0) == dom);
    }
    ta = f_push(c);
    tb = f_push(c);
    if (!ta || !tb) {
        c->top -= (ta != NULL) + (tb != NULL);
        f_fill(c, out, 0, 0, FT_U);
        return;
    }
    f_own(ta);
    for (int j = 0; j < nk; j++) {
        ta->slo[j] = a->lo[keep[j]];
        ta->shi[j] = a->hi[keep[j]];
        ta->st[j] = a->t[keep[j]];
        csel[j] = psel[keep[j]];
    }
    c->dgen[c->sdepth] = pgen;
    c->dsel[c->sdepth] = psel;
    c->dm[c->sdepth] = m;
    c->sel = csel;
    c->m = nk;
    c->ident = 0;
    c->sdepth++;
    c->gen = ++c->gen_next;
    b = bn ? fev(c, bn, tb, &kb) : f_item(c, bi);
    *bfx = f_bnd(c, bn, bi, b);
    f_logic(c, kind, ta, b, ta);
    c->sdepth--;
    c->gen = pgen;
    c->ident = pident;
    c->m = m;
    c->sel = psel;
    f_own_point(out); /* a was copied to ta: out may be a */
    for (int i = 0; i < m; i++) {
        out->slo[i] = dom;
        out->st[i] = FT_OK;
    }
    for (int j = 0; j < nk; j++) {
        out->slo[keep[j]] = ta->lo[j];
        out->st[keep[j]] = ta->t[j];
    }
    c->top -= 2;
}

/* The unknown rows of a comparison, + - max min of a and b whose unknown
 * rows are as fx ab, bb say (f_bnd), as eval.c gives them (uval.h),
 * into c->uidx / ut / ulo / uhi / uval before the kernel overwrites a or
 * b; returns their number. Comparisons keep only the rows the bounds
 * decide (ut 1 true, 2 false). */
/* f_bounds() for a whole block, branch-free: has-lo / has-hi masks (0 or
 * -1) and the values. */
static inline __attribute__((always_inline)) void
f_bounds_v(const FBlk *x, int fx, int m, int64_t *restrict hl,
           int64_t *restrict hh)
{
    const uint8_t *restrict t = x->t;
    const int64_t *restrict lo = x->lo, *restrict hi = x->hi;
    int64_t b1 = -(int64_t)(fx == 1);
    for (int i = 0; i < m; i++) {
        int64_t k = -(int64_t)((t[i] == FT_OK) | (t[i] == FT_E));
        int64_t u = -(int64_t)(t[i] == FT_U) & b1;
        hl[i] = k | (u & -(int64_t)(lo[i] != FB_NO_LO));
        hh[i] = k | (u & -(int64_t)(hi[i] != FB_NO_HI));
    }
}

/* uv_compare / uv_arith for integer blocks, every row at once (no
 * branch): c->ut[i] 1 the unknown row i is decided true, 2 false, 3 (+ -)
 * a bound that does not fit (the exact path), else 0; c->ulo / uhi the
 * bounds of + -. Returns 0, or -1 when no unknown row has bounds. */
static __attribute__((noinline)) int f_unknown_ints(FCtx *c, const Node *n,
                                                    const FBlk *a, int ab,
                                                    const FBlk *b, int bb)
{
    int m = c->m, any = 0;
    int64_t ahl[BLK], ahh[BLK], bhl[BLK], bhh[BLK];
    const int64_t *restrict al = a->lo, *restrict ah = a->hi;
    const int64_t *restrict bl = b->lo, *restrict bh = b->hi;
    const uint8_t *restrict ta = a->t, *restrict tb = b->t;
    uint8_t *restrict ut = c->ut;
    if (ab == 1) {
        for (int i = 0; i < m; i++) {
            any |= ta[i] == FT_U;
        }
    }
    if (bb == 1) {
        for (int i = 0; i < m; i++) {
            any |= tb[i] == FT_U;
        }
    }
    if (!any) {
        return -1;
    }
    f_bounds_v(a, ab, m, ahl, ahh);
    f_bounds_v(b, bb, m, bhl, bhh);
    if (n->kind == ND_ADD || n->kind == ND_SUB) {
        int sub = n->kind == ND_SUB;
        int64_t *restrict ol = c->ulo, *restrict oh = c->uhi;
        for (int i = 0; i < m; i++) {
            int64_t l, h, ovl, ovh, hl, hh;
            if (sub) {
                ovl = f_sub_w(al[i], bh[i], &l);
                ovh = f_sub_w(ah[i], bl[i], &h);
                hl = ahl[i] & bhh[i];
                hh = ahh[i] & bhl[i];
            } else {
                ovl = f_add_w(al[i], bl[i], &l);
                ovh = f_add_w(ah[i], bh[i], &h);
                hl = ahl[i] & bhl[i];
                hh = ahh[i] & bhh[i];
            }
            ol[i] = (l & hl) | (FB_NO_LO & ~hl);
            oh[i] = (h & hh) | (FB_NO_HI & ~hh);
            ut[i] =
                (uint8_t)(3 * (((ovl | -(int64_t)(l == FB_NO_LO)) & hl) < 0 ||
                               ((ovh | -(int64_t)(h == FB_NO_HI)) & hh) < 0));
        }
        return 0;
    }
#define F_UCMP(ALL, NONE)                                                      \
    for (int i = 0; i < m; i++) {                                              \
        int all = (ALL) != 0, none = (NONE) != 0;                              \
        ut[i] = (uint8_t)(all | (none << 1));                                  \
    }
    switch (n->op) {
    case CMP_GE:
        F_UCMP(ahl[i] & bhh[i] & -(int64_t)(al[i] >= bh[i]),
               ahh[i] & bhl[i] & -(int64_t)(ah[i] < bl[i]))
        break;
    case CMP_GT:
        F_UCMP(ahl[i] & bhh[i] & -(int64_t)(al[i] > bh[i]),
               ahh[i] & bhl[i] & -(int64_t)(ah[i] <= bl[i]))
        break;
    case CMP_LE:
        F_UCMP(ahh[i] & bhl[i] & -(int64_t)(ah[i] <= bl[i]),
               ahl[i] & bhh[i] & -(int64_t)(al[i] > bh[i]))
        break;
    case CMP_LT:
        F_UCMP(ahh[i] & bhl[i] & -(int64_t)(ah[i] < bl[i]),
               ahl[i] & bhh[i] & -(int64_t)(al[i] >= bh[i]))
        break;
    case CMP_EQ:
        F_UCMP(0, (ahh[i] & bhl[i] & -(int64_t)(ah[i] < bl[i])) |
                      (ahl[i] & bhh[i] & -(int64_t)(al[i] > bh[i])))
        break;
    default:
        F_UCMP((ahh[i] & bhl[i] & -(int64_t)(ah[i] < bl[i])) |
                   (ahl[i] & bhh[i] & -(int64_t)(al[i] > bh[i])),
               0)
        break;
    }
#undef F_UCMP
    for (int i = 0; i < m; i++) { /* only unknown rows: known ones stay */
        ut[i] = (uint8_t)(ut[i] & -((ta[i] == FT_U) | (tb[i] == FT_U)));
    }
    return 0;
}

/* The rows f_unknown_ints() worked out, into the kernel's result o. */
static __attribute__((noinline)) void
f_unknown_ints_post(FCtx *c, const Node *n, FBlk *o, int rc)
{
    int m = c->m;
    uint8_t *restrict st = o->st;
    const uint8_t *restrict ut = c->ut;
    int64_t *restrict ol = o->slo;
    if (rc < 0) {
        o->fx = 2;
        return;
    }
    if (n->kind == ND_CMP) {
        for (int i = 0; i < m; i++) {
            int d = ut[i] != 0;
            ol[i] = d ? ut[i] == 1 : ol[i];
            st[i] = d ? (uint8_t)FT_OK : st[i];
        }
        o->fx = 2;
        return;
    }
    f_unpoint(c, o);
    {
        int64_t *restrict oh = o->shi;
        const int64_t *restrict ul = c->ulo, *restrict uh = c->uhi;
        int bad = 0;
        for (int i = 0; i < m; i++) {
            int u = st[i] == FT_U;
            ol[i] = u ? ul[i] : ol[i];
            oh[i] = u ? uh[i] : oh[i];
            bad |= u & (ut[i] == 3);
        }
        for (int i = 0; bad && i < m; i++) {
            if (st[i] == FT_U && ut[i] == 3) {
                f_mark(c, i, o);
            }
        }
    }
    o->fx = 1;
}

static __attribute__((noinline)) int f_unknown_pre(FCtx *c, const Node *n,
                                                   const FBlk *a, int ka,
                                                   int ab, const FBlk *b,
                                                   int kb, int bb)
{
    int nu = 0, nr = 0, m = c->m;
    int *rows = c->uidx; /* the unknown rows, then (in place) the result */
    if (n->kind != ND_MIN && n->kind != ND_MAX) {
        /* a comparison, + or - can only be given a bound or decided by an
         * unknown operand with bounds (fx 1); none here: nothing to do */
        int any = 0;
        const uint8_t *ta = a->t, *tb = b->t;
        if (ab == 1) {
            for (int i = 0; i < m; i++) {
                any |= ta[i] == FT_U;
            }
        }
        if (bb == 1) {
            for (int i = 0; i < m; i++) {
                any |= tb[i] == FT_U;
            }
        }
        if (!any) {
            return -1;
        }
    }
    for (int i = 0; i < m; i++) {
        rows[nr] = i;
        nr += (a->t[i] == FT_U) | (b->t[i] == FT_U);
    }
    for (int j = 0; j < nr; j++) {
        int i = rows[j];
        int ta = a->t[i], tb = b->t[i];
        int ahl, ahh, bhl, bhh, all = 0, none = 0;
        int64_t al, ah, bl, bh;
        if (n->kind == ND_MIN || n->kind == ND_MAX) {
            Val x = f_uval(a, ab, i), y = f_uval(b, bb, i);
            c->uidx[nu] = i;
            c->uval[nu++] = uv_maxmin(n->kind, &x, &y);
            continue;
        }
        if (ta == FT_M || tb == FT_M) {
            ahl = ahh = bhl = bhh = 0;
            al = ah = bl = bh = 0;
        } else {
            f_bounds(a, ab, i, &ahl, &al, &ahh, &ah);
            f_bounds(b, bb, i, &bhl, &bl, &bhh, &bh);
        }
        if (n->kind == ND_ADD || n->kind == ND_SUB) {
            int sub = n->kind == ND_SUB;
            int hl = ahl && (sub ? bhh : bhl), hh = ahh && (sub ? bhl : bhh);
            int64_t lo = FB_NO_LO, hi = FB_NO_HI;
            int bad = 0;
            if (hl) {
                bad |= sub ? __builtin_sub_overflow(al, bh, &lo)
                           : __builtin_add_overflow(al, bl, &lo);
                bad |= lo == FB_NO_LO;
            }
            if (hh) {
                bad |= sub ? __builtin_sub_overflow(ah, bl, &hi)
                           : __builtin_add_overflow(ah, bh, &hi);
                bad |= hi == FB_NO_HI;
            }
            c->uidx[nu] = i;
            c->ulo[nu] = hl ? lo : FB_NO_LO;
            c->uhi[nu] = hh ? hi : FB_NO_HI;
            c->ut[nu++] = (uint8_t)bad;
            continue;
        }
        /* a comparison (uv_compare); a fraction is a point n / d */
        if (ka == FK_Q || kb == FK_Q) {
            Val x, y, r;
            if (ka == FK_Q) {
                x = uv_unknown(0);
                if (ta != FT_U) {
                    x.tv = ta == FT_OK ? TV_OK : ta == FT_E ? TV_E : TV_M;
                    x.lo.n = x.hi.n = a->lo[i];
                    x.lo.d = x.hi.d = a->hi[i];
                }
            } else {
                x = f_uval(a, ab, i);
            }
            if (kb == FK_Q) {
                y = uv_unknown(0);
                if (tb != FT_U) {
                    y.tv = tb == FT_OK ? TV_OK : tb == FT_E ? TV_E : TV_M;
                    y.lo.n = y.hi.n = b->lo[i];
                    y.lo.d = y.hi.d = b->hi[i];
                }
            } else {
                y = f_uval(b, bb, i);
            }
            r = uv_compare(n->op, &x, &y);
            if (r.tv != TV_U) {
                c->uidx[nu] = i;
                c->ut[nu++] = r.lo.n ? 1 : 2;
            }
            continue;
        }
        switch (n->op) {
        case CMP_GE:
            all = ahl && bhh && al >= bh;
            none = ahh && bhl && ah < bl;
            break;
        case CMP_GT:
            all = ahl && bhh && al > bh;
            none = ahh && bhl && ah <= bl;
            break;
        case CMP_LE:
            all = ahh && bhl && ah <= bl;
            none = ahl && bhh && al > bh;
            break;
        case CMP_LT:
            all = ahh && bhl && ah < bl;
            none = ahl && bhh && al >= bh;
            break;
        case CMP_EQ:
            none = (ahh && bhl && ah < bl) || (ahl && bhh && al > bh);
            break;
        default: /* CMP_NE */
            all = (ahh && bhl && ah < bl) || (ahl && bhh && al > bh);
            break;
        }
        if (all || none) {
            c->uidx[nu] = i;
            c->ut[nu++] = all ? 1 : 2;
        }
    }
    return nu;
}

/* The rows f_unknown_pre() worked out, into the kernel's result o. */
static __attribute__((noinline)) void f_unknown_post(FCtx *c, const Node *n,
                                                     FBlk *o, int nu)
{
    if (nu < 0) { /* no unknown row has bounds */
        o->fx = 2;
        return;
    }
    if (n->kind == ND_CMP) {
        for (int j = 0; j < nu; j++) {
            int i = c->uidx[j];
            if (c->bail[c->sel[i]]) {
                continue;
            }
            o->slo[i] = c->ut[j] == 1;
            o->st[i] = FT_OK;
        }
        return;
    }
    f_unpoint(c, o);
    for (int j = 0; j < nu; j++) {
        int i = c->uidx[j];
        if (c->bail[c->sel[i]]) {
            continue;
        }
        if (n->kind == ND_MIN || n->kind == ND_MAX) {
            f_put_uval(c, o, i, &c->uval[j]);
            continue;
        }
        if (c->ut[j]) {
            f_mark(c, i, o);
            continue;
        }
        o->slo[i] = c->ulo[j];
        o->shi[i] = c->uhi[j];
        o->st[i] = FT_U;
    }
}

/* A binary node into out: a, then b, then the operation. */
static void f_binary(FCtx *c, const Node *n, FBlk *out)
{
    const FBlk *a, *b;
    FBlk *tb = f_push(c);
    int ka, kb;
    if (!tb) {
        f_fill(c, out, 0, 0, FT_U);
        out->fx = 0;
        return;
    }
    a = fev(c, n->a, out, &ka);
    if (n->kind == ND_AND || n->kind == ND_OR) {
        c->top--;
        f_andor(c, n->kind, a, f_bnd(c, n->a, -1, a), n->b, -1, out);
        return;
    }
    b = fev(c, n->b, tb, &kb);
    if (!c->bounds) { /* no bounds carried (fx 0 is what f_bnd reads) */
        if (n->kind == ND_CMP) {
            f_compare(c, n->op, a, ka, b, kb, out);
        } else {
            f_arith(c, n->kind, a, b, out);
        }
        c->top--;
        return;
    }
    {
        int arith = n->kind == ND_ADD || n->kind == ND_SUB ||
                    n->kind == ND_MIN || n->kind == ND_MAX;
        int ab = c->bounds && (n->kind == ND_CMP || arith)
                     ? f_bnd(c, n->a, -1, a)
                     : 0;
        int bb = ab ? f_bnd(c, n->b, -1, b) : 0;
        int post = ab && bb && (n->kind == ND_CMP || arith) &&
                   !(ka == FK_Q && ab == 1) && !(kb == FK_Q && bb == 1) &&
                   (n->kind == ND_CMP || (ka == FK_R && kb == FK_R));
        int ints = post && n->kind != ND_MIN && n->kind != ND_MAX &&
                   ka == FK_R && kb == FK_R;
        int nu = ints   ? f_unknown_ints(c, n, a, ab, b, bb)
                 : post ? f_unknown_pre(c, n, a, ka, ab, b, kb, bb)
                        : 0;
        switch (n->kind) {
        case ND_CMP:
            f_compare(c, n->op, a, ka, b, kb, out);
            break;
        case ND_AND:
        case ND_OR:
            f_logic(c, n->kind, a, b, out);
            break;
        default:
            f_arith(c, n->kind, a, b, out);
            break;
        }
        out->fx = 0;
        if (ints) {
            f_unknown_ints_post(c, n, out, nu);
        } else if (post) {
            out->fx = n->kind == ND_CMP ? 2 : 1;
            f_unknown_post(c, n, out, nu);
        }
    }
    c->top--;
}

/* ---- row-invariant values: computed once per thread ------------------- */

/* A node or item whose value is the same in every row (it reads no input
 * column: literals, expert and manual items, arithmetic, comparisons and
 * bands over them, as org = org_sys + org_inst + ... in hnte-2016) is
 * evaluated once per thread for a whole block and reused, like a
 * literal. The evaluation is the ordinary one, so the value is the same;
 * when it marks a row for the exact path (an overflow) the node is not
 * folded and is evaluated per block as before. */
typedef struct FFold {
    const void *key; /* node or item; NULL: free slot */
    int state;       /* -1 undecided, 0 not folded, 1 folded */
    int kind;
    FBlk *val;
} FFold;

enum { FI_UNKNOWN = 0, FI_BUSY, FI_YES, FI_NO };

static int f_inv_item(FCtx *c, int i, int depth);

/* n reads no input column (and no item that does). */
static int f_inv(FCtx *c, const Node *n, int depth)
{
    if (!n || depth > RULES_MAX_DEPTH) {
        return 0;
    }
    switch (n->kind) {
    case ND_NUM:
    case ND_BOOL:
    case ND_YEAR:
    case ND_ASOF:
    case ND_END_OF_YEAR:
        return 1;
    case ND_ITEM:
        return f_inv_item(c, n->fid, depth + 1);
    case ND_NEG:
    case ND_NOT:
    case ND_BAND:
        return f_inv(c, n->a, depth + 1);
    case ND_CASES:
        for (int k = 0; k < n->n_arms; k++) {
            if (n->arms[k].cond && !f_inv(c, n->arms[k].cond, depth + 1)) {
                return 0;
            }
        }
        return 1;
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
        return f_inv(c, n->a, depth + 1) && f_inv(c, n->b, depth + 1);
    default: /* fields, derived fields, sums, growth */
        return 0;
    }
}

/* Item i reads no input column; an item reached again while deciding
 * (a cycle) is taken as not. */
static int f_inv_item(FCtx *c, int i, int depth)
{
    const Item *it = &c->rs->items[i];
    int r = 1;
    if (c->iinv[i] == FI_YES || c->iinv[i] == FI_NO) {
        return c->iinv[i] == FI_YES;
    }
    if (c->iinv[i] == FI_BUSY || depth > RULES_MAX_DEPTH) {
        return 0;
    }
    c->iinv[i] = FI_BUSY;
    switch (it->kind) {
    case IT_EXPERT:
    case IT_MANUAL:
        break;
    case IT_LET:
    case IT_CHECK:
    case IT_SCORE:
        r = f_inv(c, it->expr, depth + 1);
        break;
    case IT_ALL:
    case IT_ANY:
        for (int j = i + 1; r && j < c->rs->n_items; j++) {
            if (c->rs->items[j].parent == i) {
                r = f_inv_item(c, j, depth + 1);
            }
        }
        break;
    default:
        r = 0;
        break;
    }
    c->iinv[i] = (uint8_t)(r ? FI_YES : FI_NO);
    return r;
}

/* The slot of key (a new one is undecided); NULL when the table is full. */
static FFold *f_fold_slot(FCtx *c, const void *key)
{
    size_t h = ((uintptr_t)key >> 4) % FF_SLOTS;
    if (!c->fold) {
        c->fold = xcalloc(FF_SLOTS, sizeof *c->fold);
    }
    for (size_t k = 0; k < FF_SLOTS; k++) {
        FFold *f = &c->fold[(h + k) % FF_SLOTS];
        if (f->key == key) {
            return f;
        }
        if (!f->key) {
            f->key = key;
            f->state = -1;
            return f;
        }
    }
    return NULL;
}

/* The folded value of node n (item < 0) or item `item`, evaluated now
 * for all BLK rows if it is row-invariant and not yet known; NULL when it
 * is not folded (evaluate it as usual). */
static const FBlk *f_folded(FCtx *c, const void *key, const Node *n, int item,
                            int *kind)
{
    FFold *f = f_fold_slot(c, key);
    uint8_t bail[BLK];
    const int *sel = c->sel;
    int m = c->m, ident = c->ident, all_bail = c->all_bail, k = FK_R, ok;
    unsigned gen = c->gen;
    const FBlk *r;
    FBlk *t;

    if (!f || f->state == 0) {
        return NULL;
    }
    if (f->state == 1) {
        *kind = f->kind;
        return f->val;
    }
    if (!(item >= 0 ? f_inv_item(c, item, 0) : f_inv(c, n, 0))) {
        f->state = 0;
        return NULL;
    }
    if (!(t = f_push(c))) {
        c->all_bail = all_bail;
        return NULL; /* decided again at the next block */
    }
    memcpy(bail, c->bail, sizeof bail);
    memset(c->bail, 0, sizeof c->bail);
    c->m = BLK;
    c->sel = c->sel0;
    c->ident = 1;
    c->gen = ++c->gen_next;
    c->folding = 1;
    r = item >= 0 ? f_item(c, item) : fev(c, n, t, &k);
    ok = !c->all_bail && !memchr(c->bail, 1, sizeof c->bail);
    if (ok) {
        FBlk *v = xmalloc(sizeof *v);
        memcpy(v->slo, r->lo, sizeof v->slo);
        memcpy(v->shi, r->hi, sizeof v->shi);
        memcpy(v->st, r->t, sizeof v->st);
        v->lo = v->slo;
        v->hi = r->hi == r->lo ? v->slo : v->shi;
        v->t = v->st;
        v->fx = r->fx;
        f->val = v;
        f->kind = item >= 0 ? c->p->fkind[item] : k;
    }
    f->state = ok;
    c->folding = 0;
    c->gen = gen;
    c->ident = ident;
    c->sel = sel;
    c->m = m;
    c->all_bail = all_bail;
    memcpy(c->bail, bail, sizeof bail);
    c->top--;
    if (!ok) {
        return NULL;
    }
    *kind = f->kind;
    return f->val;
}

/* Evaluate n for the rows of the selection: the result is out, an item
 * block or a constant block (never written by the caller); *kind is its
 * kind. */
static const FBlk *fev(FCtx *c, const Node *n, FBlk *out, int *kind)
{
    *kind = FK_R;
    if (!n) {
        f_fill(c, out, 0, 0, FT_U);
        return out;
    }
    if (!c->folding && n->kind >= ND_NEG && n->kind != ND_SUM &&
        n->kind != ND_GROWTH && n->kind != ND_END_OF_YEAR) {
        const FBlk *fb = f_folded(c, n, n, -1, kind);
        if (fb) {
            return fb;
        }
        *kind = FK_R;
    }
    switch (n->kind) {
    case ND_NUM:
    case ND_BOOL:
    case ND_YEAR:
    case ND_ASOF:
    case ND_END_OF_YEAR: {
        int64_t lo = 0, hi = 0;
        int t = FT_OK;
        const FBlk *k;
        if (n->kind == ND_NUM && n->lo.d == 1 && n->hi.d == 1) {
            lo = (int64_t)n->lo.n;
            hi = (int64_t)n->hi.n;
        } else if (n->kind == ND_NUM) {
            *kind = FK_Q;
            lo = (int64_t)n->lo.n;
            hi = (int64_t)n->lo.d;
        } else if (n->kind == ND_BOOL) {
            lo = hi = n->lo.n != 0;
        } else if (n->kind == ND_YEAR) {
            lo = hi = (int64_t)c->in->year + n->yoff;
        } else if (n->kind == ND_ASOF) {
            lo = hi = c->in->asof;
        } else {
            Date d;
            if (date_from_ymd(c->in->year + n->yoff, 12, 31, &d, NULL, NULL) !=
                0) {
                t = FT_U;
            } else {
                lo = hi = d;
            }
        }
        if ((k = f_const(c, n, lo, hi, t)) != NULL) {
            return k;
        }
        f_fill(c, out, lo, hi, t);
        out->fx = t != FT_U;
        return out;
    }
    case ND_FIELD:
        f_field(c, n->fid, n->yoff + c->yctx, out);
        return out;
    case ND_DERIVED:
        *kind = c->p->dkind[n->fid];
        return f_yearly(c, n, n->yoff + c->yctx, out);
    case ND_SCALAR:
        f_scalar(c, n->fid, out);
        return out;
    case ND_ITEM:
        *kind = c->p->fkind[n->fid];
        return f_item(c, n->fid);
    case ND_NEG: {
        FIn a = f_in(fev(c, n->a, out, kind));
        f_own(out);
        for (int i = 0, m = c->m; i < m; i++) {
            int64_t lo = a.lo[i], hi = a.hi[i];
            out->st[i] = a.t[i];
            if (a.t[i] == FT_U) {
                continue;
            }
            if (lo == INT64_MIN || hi == INT64_MIN) {
                f_mark(c, i, out);
                continue;
            }
            out->slo[i] = *kind == FK_Q ? -lo : -hi;
            out->shi[i] = *kind == FK_Q ? hi : -lo;
        }
        return out;
    }
    case ND_NOT: {
        FIn a = f_in(fev(c, n->a, out, kind));
        f_own(out);
        for (int i = 0, m = c->m; i < m; i++) {
            int t = a.t[i];
            int64_t lo = a.lo[i], hi = a.hi[i];
            out->st[i] = (uint8_t)t;
            out->slo[i] = t == FT_OK ? lo == 0 : lo;
            out->shi[i] = t == FT_OK ? lo == 0 : hi;
        }
        return out;
    }
    case ND_SUM:
        *kind = SUMF_IS_AVG(n->op) ? FK_Q : FK_R;
        f_sum_once(c, n, out);
        return out;
    case ND_GROWTH:
        *kind = FK_Q;
        f_growth(c, n, out);
        return out;
    case ND_BAND:
        *kind = f_memo(c, n, 0);
        f_band(c, n, out, *kind);
        return out;
    case ND_CASES:
        *kind = f_memo(c, n, 0);
        f_cases(c, n, out, *kind);
        return out;
    case ND_DIV:
        *kind = FK_Q;
        f_binary(c, n, out);
        return out;
    default:
        f_binary(c, n, out);
        return out;
    }
}

/* Evaluate item i for the block (once), as eval_item. */
static const FBlk *f_item_eval(FCtx *c, int i)
{
    const Item *it = &c->rs->items[i];
    FBlk *v;
    int k;

    if (!c->items[c->sdepth]) { /* first use of this depth */
        size_t n = (size_t)c->rs->n_items + 1;
        c->items[c->sdepth] = xmalloc(sizeof(FBlk) * n);
        c->igen[c->sdepth] = xcalloc(n, sizeof(unsigned));
    }
    v = &c->items[c->sdepth][i];
    if (c->igen[c->sdepth][i] == c->gen) {
        return v;
    }
    if (c->sdepth > 0 && !c->folding && c->items[0] &&
        c->igen[0][i] == c->gen0) {
        /* computed for the whole block (the total, before pass skipped
         * rows): the selection's rows of it */
        const FBlk *d = &c->items[0][i];
        f_own(v);
        for (int j = 0, m = c->m; j < m; j++) {
            int r = c->sel[j];
            v->slo[j] = d->lo[r];
            v->shi[j] = d->hi[r];
            v->st[j] = d->t[r];
        }
        v->fx = d->fx;
        c->igen[c->sdepth][i] = c->gen;
        return v;
    }
    for (int dd = c->sdepth - 1; dd > 0 && !c->folding; dd--) {
        /* computed for an enclosing selection (its rows include these):
         * the rows of it, found through their positions there */
        const FBlk *d;
        int pos[BLK];
        if (!c->items[dd] || c->igen[dd][i] != c->dgen[dd]) {
            continue;
        }
        d = &c->items[dd][i];
        for (int j = 0; j < c->dm[dd]; j++) {
            pos[c->dsel[dd][j]] = j;
        }
        f_own(v);
        for (int j = 0, m = c->m; j < m; j++) {
            int pk = pos[c->sel[j]];
            v->slo[j] = d->lo[pk];
            v->shi[j] = d->hi[pk];
            v->st[j] = d->t[pk];
        }
        v->fx = d->fx;
        c->igen[c->sdepth][i] = c->gen;
        return v;
    }
    if (it->kind == IT_EXPERT || it->kind == IT_MANUAL) {
        int64_t lo = 0, hi = 0;
        const FBlk *cb;
        for (int g = 0; it->kind == IT_EXPERT && g < it->n_grades; g++) {
            int64_t gl = (int64_t)it->grades[g].lo.n;
            int64_t gh = (int64_t)it->grades[g].hi.n;
            lo = g == 0 || gl < lo ? gl : lo;
            hi = g == 0 || gh > hi ? gh : hi;
        }
        cb = f_const(c, it, lo, hi, it->kind == IT_EXPERT ? FT_OK : FT_M);
        if (cb) {
            return cb;
        }
    }
    if (!c->folding && it->kind != IT_EXPERT && it->kind != IT_MANUAL &&
        c->iinv[i] != FI_NO) { /* FI_NO: f_folded gives NULL */
        const FBlk *fb = f_folded(c, it, NULL, i, &k);
        if (fb) {
            return fb;
        }
    }
    switch (it->kind) {
    case IT_LET:
    case IT_CHECK: {
        const FBlk *x = fev(c, it->expr, v, &k);
        int fx = f_bnd(c, it->expr, -1, x);
        f_copy(c, v, x);
        v->fx = k == FK_Q && fx == 1 ? 0 : fx;
        break;
    }
    case IT_SCORE: {
        const FBlk *xb = fev(c, it->expr, v, &k);
        int fx = f_bnd(c, it->expr, -1, xb);
        f_copy(c, v, xb);
        v->fx = k == FK_Q && fx == 1 ? 0 : fx;
        if (!it->has_max) {
            break;
        }
        {
            FIn x = f_in(v);
            int64_t mn = (int64_t)it->max.n, md = (int64_t)it->max.d;
            /* an unknown score within its bounds and `max` (uv_clamp) */
            int ub = fx && k == FK_R && md == 1 && mn != FB_NO_LO;
            f_own(v);
            v->fx = ub;
            for (int r = 0, m = c->m; r < m; r++) {
                int64_t lo = x.lo[r], hi = x.hi[r];
                v->st[r] = x.t[r];
                if (x.t[r] == FT_U && ub) {
                    if (fx == 2) {
                        lo = FB_NO_LO;
                        hi = FB_NO_HI;
                    }
                    hi = hi == FB_NO_HI || hi > mn ? mn : hi;
                    lo = lo != FB_NO_LO && lo > mn ? mn : lo;
                } else if (x.t[r] != FT_U && k == FK_R) {
                    lo = lo < mn ? lo : mn;
                    hi = hi < mn ? hi : mn;
                } else if (x.t[r] != FT_U && fcmp(lo, hi, mn, md) > 0) {
                    lo = mn;
                    hi = md;
                }
                v->slo[r] = lo;
                v->shi[r] = hi;
            }
        }
        break;
    }
    case IT_ALL:
    case IT_ANY: {
        int first = 1, afx = 0;
        for (int j = i + 1; j < c->rs->n_items; j++) {
            if (c->rs->items[j].parent != i) {
                continue;
            }
            if (first) {
                const FBlk *mb = f_item(c, j);
                afx = f_bnd(c, NULL, j, mb);
                f_copy(c, v, mb);
            } else {
                f_andor(c, it->kind == IT_ALL ? ND_AND : ND_OR, v, afx, NULL, j,
                        v);
                afx = v->fx;
            }
            first = 0;
        }
        v->fx = afx;
        if (first) {
            f_fill(c, v, it->kind == IT_ALL, it->kind == IT_ALL, FT_OK);
            v->fx = 1;
        }
        break;
    }
    case IT_EXPERT: {
        int64_t lo = 0, hi = 0;
        for (int g = 0; g < it->n_grades; g++) {
            int64_t gl = (int64_t)it->grades[g].lo.n;
            int64_t gh = (int64_t)it->grades[g].hi.n;
            lo = g == 0 || gl < lo ? gl : lo;
            hi = g == 0 || gh > hi ? gh : hi;
        }
        f_fill(c, v, lo, hi, FT_OK);
        v->fx = 1;
        break;
    }
    case IT_MANUAL:
        f_fill(c, v, 0, 0, FT_M);
        v->fx = 1;
        break;
    default:
        f_fill(c, v, 0, 0, FT_U);
        v->fx = 0;
        break;
    }
    c->igen[c->sdepth][i] = c->gen;
    return v;
}

static const FBlk *f_item_kept(FCtx *c, int i);

/* f_item_kept(), with bounds carried (c->bounds) while evaluating an item
 * pass reads for its decision (p->pass_src) and what it reads, also
 * without item outcomes asked: then f_refine() need not compute such an
 * item again row by row where the kernels decided it (hnte-2016's (七)
 * under its four readings, about a tenth of a verdict-only re-screen),
 * while the items evaluated for every row (c2's IP counts) keep the
 * cheaper kernels without bounds. An item evaluated without bounds has
 * fx 0 (f_bnd), so mixing the two is safe: what was evaluated without
 * bounds is refined as before. An item whose kernels do not decide it
 * with bounds either (fx 0: hnte-2016's rd_ratio_*, a fraction against a
 * band of fractions) is evaluated without them from then on. */
static const FBlk *f_item(FCtx *c, int i)
{
    const FBlk *v;
    int was = c->bounds;
    if (!c->src_bnd[i] || was) {
        return f_item_kept(c, i);
    }
    c->bounds = 1;
    v = f_item_kept(c, i);
    c->bounds = was;
    if (!v->fx) {
        c->src_bnd[i] = 0;
    }
    return v;
}

/* f_item_eval(), keeping the values of an item f_exact_val may read by
 * row of the block (c->shadow). */
static const FBlk *f_item_kept(FCtx *c, int i)
{
    FShadow *sh = c->shadow[i];
    const FBlk *v;
    if (!sh || (!c->p->shadow[i] && !c->items_mode) ||
        (c->items[c->sdepth] && c->igen[c->sdepth][i] == c->gen)) {
        return f_item_eval(c, i);
    }
    v = f_item_eval(c, i);
    if (c->ident) { /* the whole block: one loop the compiler vectorises */
        const int64_t *restrict lo = v->lo, *restrict hi = v->hi;
        const uint8_t *restrict t = v->t;
        int64_t *restrict slo = sh->lo, *restrict shi = sh->hi;
        uint8_t *restrict st = sh->t;
        unsigned *restrict at = sh->at, stamp = c->stamp;
        for (int r = 0, m = c->m; r < m; r++) {
            slo[r] = lo[r];
            shi[r] = hi[r];
            st[r] = t[r];
            at[r] = stamp;
        }
        if (c->fx_read[i]) { /* only f_refine reads it; 0 without bounds */
            memset(sh->fx, f_bnd(c, NULL, i, v), (size_t)c->m);
        }
        return v;
    }
    for (int j = 0, m = c->m; j < m; j++) {
        int r = c->sel[j];
        sh->lo[r] = v->lo[j];
        sh->hi[r] = v->hi[j];
        sh->t[r] = v->t[j];
        sh->at[r] = c->stamp;
    }
    if (c->fx_read[i]) {
        uint8_t fx = (uint8_t)f_bnd(c, NULL, i, v);
        for (int j = 0, m = c->m; j < m; j++) {
            sh->fx[c->sel[j]] = fx;
        }
    }
    return v;
}

BatchFast *BATCH_FAST(batch_fast_new)(const BatchProg *p, const BatchInput *in)
{
    FCtx *c = xcalloc(1, sizeof *c);
    c->p = p;
    c->rs = p->rs;
    c->in = in;
    for (int i = 0; i < BLK; i++) {
        c->sel0[i] = i;
    }
    for (int i = 0; i < p->rs->n_items; i++) {
        if (p->shadow[i] || p->xshadow[i]) {
            c->shadow[i] = xcalloc(1, sizeof(FShadow));
        }
    }
    for (int y = FY_FIRST; y <= FY_LAST; y++) {
        if (date_from_ymd(y, 1, 1, &c->jan1[y - FY_FIRST], NULL, NULL) != 0) {
            c->jan1[y - FY_FIRST] = DATE_MAX;
        }
    }
    return c;
}

void BATCH_FAST(batch_fast_free)(BatchFast *c)
{
    if (!c) {
        return;
    }
    for (int k = 0; k < FB_MAX_TEMPS; k++) {
        free(c->temps[k]);
    }
    for (int d = 0; d < FS_MAX_DEPTH; d++) {
        free(c->items[d]);
        free(c->igen[d]);
    }
    for (int k = 0; k < FC_SLOTS; k++) {
        free(c->cval[k]);
        free(c->bcut[k]);
    }
    for (int k = 0; c->fold && k < FF_SLOTS; k++) {
        free(c->fold[k].val);
    }
    free(c->fold);
    free(c->oc);
    for (int i = 0; i < RULES_MAX_ITEMS; i++) {
        free(c->shadow[i]);
    }
    for (int k = 0; k < c->n_sums; k++) {
        free(c->sums[k]);
    }
    free(c);
}

/* nc[r] += part > whole for a full block (a fixed count of rows, and the
 * signed comparison as bit operations, so that the compiler can use
 * vector instructions). */
static void f_conflicts_full(const int64_t *pv, const int64_t *wv,
                             const uint8_t *ph, const uint8_t *wh, uint8_t *nc)
{
    uint8_t x[BLK];
    for (int r = 0; r < BLK; r++) {
        /* wv < pv, without overflow (Hacker's Delight 2-12) */
        uint64_t a = (uint64_t)wv[r], b = (uint64_t)pv[r], d = a - b;
        x[r] = (uint8_t)((d ^ ((a ^ b) & (d ^ a))) >> 63);
    }
    if (ph) {
        for (int r = 0; r < BLK; r++) {
            x[r] &= (uint8_t)(ph[r] != 0);
        }
    }
    if (wh) {
        for (int r = 0; r < BLK; r++) {
            x[r] &= (uint8_t)(wh[r] != 0);
        }
    }
    for (int r = 0; r < BLK; r++) {
        nc[r] = (uint8_t)(nc[r] + x[r]);
    }
}

/* Evaluate one block on the fast path and write the rows it decided
 * (c->bail marks the others; c->all_bail the whole block). */
/* The outcome rule_eval() shows for rows [0, m) of item it's block v
 * (batch.c's outcome_of: the state, a boolean's value, an interval or a
 * point), without branches (vectorised). */
static void f_outcomes(const Item *it, int kind, const FBlk *v, int m,
                       uint8_t *restrict o)
{
    const uint8_t *restrict t = v->t;
    const int64_t *restrict lo = v->lo, *restrict hi = v->hi;
    if (it->unit == UN_BOOL) {
        for (int r = 0; r < m; r++) {
            uint8_t k = lo[r] ? RULE_V_MET : RULE_V_UNMET;
            o[r] = t[r] == FT_U   ? RULE_V_UNKNOWN
                   : t[r] == FT_M ? RULE_V_MANUAL
                   : t[r] == FT_E ? RULE_V_EXPERT
                                  : k;
        }
    } else if (kind == FK_R) {
        for (int r = 0; r < m; r++) {
            uint8_t k = lo[r] != hi[r] ? RULE_V_EXPERT : RULE_V_INFO;
            o[r] = t[r] == FT_U   ? RULE_V_UNKNOWN
                   : t[r] == FT_M ? RULE_V_MANUAL
                   : t[r] == FT_E ? RULE_V_EXPERT
                                  : k;
        }
    } else {
        for (int r = 0; r < m; r++) {
            o[r] = t[r] == FT_U   ? RULE_V_UNKNOWN
                   : t[r] == FT_M ? RULE_V_MANUAL
                   : t[r] == FT_E ? RULE_V_EXPERT
                                  : RULE_V_INFO;
        }
    }
}

/* A condition's value, as eval.c's v_bool(). */
static void f_exact_bool(int b, Val *out)
{
    memset(out, 0, sizeof *out);
    out->tv = TV_OK;
    out->lo = out->hi = q_int(b ? 1 : 0);
}

/* eval.c's compare() of two values that are not unknown (tv their
 * joined state): decided, pending, or depending on expert scores. */
static void f_exact_compare(int op, int tv, const Val *a, const Val *b,
                            Val *out)
{
    int all, none;
    if (tv == TV_M) {
        *out = uv_unknown(0);
        out->tv = TV_M;
        return;
    }
    switch (op) {
    case CMP_GE:
        all = q_cmp(a->lo, b->hi) >= 0;
        none = q_cmp(a->hi, b->lo) < 0;
        break;
    case CMP_GT:
        all = q_cmp(a->lo, b->hi) > 0;
        none = q_cmp(a->hi, b->lo) <= 0;
        break;
    case CMP_LE:
        all = q_cmp(a->hi, b->lo) <= 0;
        none = q_cmp(a->lo, b->hi) > 0;
        break;
    case CMP_LT:
        all = q_cmp(a->hi, b->lo) < 0;
        none = q_cmp(a->lo, b->hi) >= 0;
        break;
    case CMP_EQ:
        all = q_cmp(a->lo, a->hi) == 0 && q_cmp(b->lo, b->hi) == 0 &&
              q_cmp(a->lo, b->lo) == 0;
        none = q_cmp(a->hi, b->lo) < 0 || q_cmp(a->lo, b->hi) > 0;
        break;
    default: /* CMP_NE */
        none = q_cmp(a->lo, a->hi) == 0 && q_cmp(b->lo, b->hi) == 0 &&
               q_cmp(a->lo, b->lo) == 0;
        all = q_cmp(a->hi, b->lo) < 0 || q_cmp(a->lo, b->hi) > 0;
        break;
    }
    if (all || none) {
        f_exact_bool(all, out);
        return;
    }
    *out = uv_unknown(0);
    out->tv = TV_E;
}

/* eval.c's logic(): a AND / OR b. */
static void f_exact_logic(int kind, const Val *a, const Val *b, Val *out)
{
    int dom = kind == ND_AND ? 0 : 1; /* the dominating value */
    if ((a->tv == TV_OK && (a->lo.n != 0) == dom) ||
        (b->tv == TV_OK && (b->lo.n != 0) == dom)) {
        f_exact_bool(dom, out);
    } else if (a->tv == TV_OK && b->tv == TV_OK) {
        f_exact_bool(!dom, out);
    } else {
        *out = uv_unknown(0);
        out->tv = a->tv == TV_U || b->tv == TV_U   ? TV_U
                  : a->tv == TV_M || b->tv == TV_M ? TV_M
                                                   : TV_E;
    }
}

static int f_exact_val(FCtx *c, const Node *n, int r, int depth, Val *out);

/* f_exact_val() of item i in row r, unknown there and reachable by
 * bounds: from its expression (the caller memoises it). */
static int f_exact_item(FCtx *c, int i, int r, int depth, Val *out)
{
    const Item *it = &c->rs->items[i];
    Val a, b;
    if (it->kind == IT_ALL || it->kind == IT_ANY) { /* as eval_item */
        Node ref;
        int first = 1;
        memset(&ref, 0, sizeof ref);
        ref.kind = ND_ITEM;
        for (int j = i + 1; j < c->rs->n_items; j++) {
            if (c->rs->items[j].parent != i) {
                continue;
            }
            ref.fid = j;
            if (f_exact_val(c, &ref, r, depth + 1, first ? out : &b)) {
                return -1;
            }
            if (!first) {
                a = *out;
                f_exact_logic(it->kind == IT_ALL ? ND_AND : ND_OR, &a, &b, out);
            }
            first = 0;
        }
        if (first) {
            f_exact_bool(it->kind == IT_ALL, out);
        }
        return 0;
    }
    if (it->kind != IT_LET && it->kind != IT_CHECK && it->kind != IT_SCORE) {
        return -1;
    }
    if (it->kind != IT_SCORE && it->expr && it->expr->kind == ND_CMP) {
        /* unknown, so an operand is: when the other one is known and
         * this one reads no bounded value (e.g. a ratio), it is
         * unknown without bounds, and so is the result */
        const Node *x = it->expr;
        int ra = f_exact_val(c, x->a, r, depth + 1, &a);
        int rb = f_exact_val(c, x->b, r, depth + 1, &b);
        int ka = ra == 0 && a.tv != TV_U && a.tv != TV_M;
        int kb = rb == 0 && b.tv != TV_U && b.tv != TV_M;
        if ((ka && (c->p->cmp_free[i] & 2)) ||
            (kb && (c->p->cmp_free[i] & 1))) {
            *out = uv_unknown(0);
            return 0;
        }
        if (ra || rb || a.tv == TV_M || b.tv == TV_M ||
            (a.tv != TV_U && b.tv != TV_U)) {
            return -1;
        }
        *out = uv_compare(x->op, &a, &b); /* eval.c's compare() */
        return 0;
    }
    if (f_exact_val(c, it->expr, r, depth + 1, out)) {
        return -1;
    }
    if (it->kind == IT_SCORE && it->has_max && out->tv == TV_U) {
        *out = uv_clamp(*out, it->max);
    } else if (it->kind == IT_SCORE && it->has_max) {
        /* decided by bounds (e.g. max() of a not-applicable arm) */
        if (q_cmp(out->hi, it->max) > 0) {
            out->hi = it->max;
        }
        if (q_cmp(out->lo, it->max) > 0) {
            out->lo = it->max;
        }
    }
    return 0;
}

/* The exact value (eval.c, uval.h) of node n in row r of the block, for
 * a node whose value may be unknown there: item values the fast path
 * knows (kept by row: FShadow) are the exact ones (bounds only ever make
 * an unknown known); an unknown item that no bound can reach and that
 * cannot be not applicable is unknown without bounds; any other unknown
 * item is evaluated from its expression. Done: literals, yearly fields,
 * items and groups, + - /, comparisons, and / or / not, max / min,
 * bands, a score's max; anything else (cases, derived fields, sums over
 * years, an item not evaluated for the row) returns -1 and the row goes
 * to the exact path. */
static int f_exact_val(FCtx *c, const Node *n, int r, int depth, Val *out)
{
    Val a, b;
    if (!n || depth > RULES_MAX_DEPTH) {
        return -1;
    }
    switch (n->kind) {
    case ND_NUM:
        memset(out, 0, sizeof *out);
        out->tv = TV_OK;
        out->lo = n->lo;
        out->hi = n->hi;
        return 0;
    case ND_ITEM: {
        int i = n->fid;
        const Item *it;
        const FShadow *v;
        if (i < 0 || i >= c->rs->n_items) {
            return -1;
        }
        it = &c->rs->items[i];
        if (it->kind == IT_EXPERT || it->kind == IT_MANUAL) {
            /* as f_item: the union of the grades, or pending */
            int64_t lo = 0, hi = 0;
            for (int g = 0; it->kind == IT_EXPERT && g < it->n_grades; g++) {
                int64_t gl = (int64_t)it->grades[g].lo.n;
                int64_t gh = (int64_t)it->grades[g].hi.n;
                lo = g == 0 || gl < lo ? gl : lo;
                hi = g == 0 || gh > hi ? gh : hi;
            }
            memset(out, 0, sizeof *out);
            out->tv = it->kind == IT_EXPERT ? TV_OK : TV_M;
            out->lo = q_int(lo);
            out->hi = q_int(hi);
            return 0;
        }
        if (!c->shadow[i] || c->shadow[i]->at[r] != c->stamp) {
            return -1;
        }
        v = c->shadow[i];
        if (v->t[r] == FT_OK || v->t[r] == FT_E || v->t[r] == FT_M) {
            /* a pending value carries its numbers as information */
            memset(out, 0, sizeof *out);
            out->tv = v->t[r] == FT_OK ? TV_OK : v->t[r] == FT_E ? TV_E : TV_M;
            if (c->p->fkind[i] == FK_R) {
                out->lo = q_int(v->lo[r]);
                out->hi = q_int(v->hi[r]);
            } else { /* one fraction lo / hi, unreduced */
                out->lo = out->hi = q_frac(v->lo[r], v->hi[r]);
            }
            return 0;
        }
        if (v->t[r] != FT_U) {
            return -1;
        }
        if (!c->p->ureach[i]) {
            *out = uv_unknown(0); /* no bound, and none can decide it */
            return 0;
        }
        if (c->xm_at[i] != c->stamp || c->xm_row[i] != r) {
            c->xm_rc[i] = f_exact_item(c, i, r, depth, &c->xm_val[i]);
            c->xm_at[i] = c->stamp;
            c->xm_row[i] = r;
        }
        *out = c->xm_val[i];
        return c->xm_rc[i];
    }
    case ND_ADD:
    case ND_SUB:
    case ND_CMP:
        if (f_exact_val(c, n->a, r, depth + 1, &a) ||
            f_exact_val(c, n->b, r, depth + 1, &b)) {
            return -1;
        }
        if (a.tv != TV_U && b.tv != TV_U) {
            /* tv_join of OK, E and M (uval.h's functions take an
             * unknown beside a pending value) */
            int tv = a.tv == TV_M || b.tv == TV_M   ? TV_M
                     : a.tv == TV_E || b.tv == TV_E ? TV_E
                                                    : TV_OK;
            if (n->kind == ND_CMP) {
                f_exact_compare(n->op, tv, &a, &b, out);
                return 0;
            }
            memset(out, 0, sizeof *out);
            out->tv = tv;
            if (n->kind == ND_ADD
                    ? q_add(a.lo, b.lo, &out->lo) || q_add(a.hi, b.hi, &out->hi)
                    : q_sub(a.lo, b.hi, &out->lo) ||
                          q_sub(a.hi, b.lo, &out->hi)) {
                return -1;
            }
            return 0;
        }
        *out = n->kind == ND_CMP ? uv_compare(n->op, &a, &b)
                                 : uv_arith(n->kind, &a, &b);
        return 0;
    case ND_FIELD: { /* field_at() at item level (no year context) */
        int sl = RULE_YEARS - 1 + n->yoff;
        size_t row = c->base + (size_t)r;
        const int64_t *yv;
        const uint8_t *yh;
        if (n->fid < 0 || n->fid >= RULE_N_YEARLY) {
            return -1;
        }
        *out = uv_unknown(0);
        if (sl < 0 || sl >= RULE_YEARS) {
            return 0;
        }
        yv = c->in->yv[n->fid][sl];
        yh = c->in->yhas[n->fid][sl];
        if (yv && (!yh || yh[row])) {
            memset(out, 0, sizeof *out);
            out->tv = TV_OK;
            out->lo = out->hi = q_int(yv[row]);
        }
        return 0;
    }
    case ND_SCALAR: { /* batch.c's scalar(): known, bounded or unknown */
        size_t row = c->base + (size_t)r;
        int has = n->fid >= 0 && batch_scol(c->in, n->fid);
        const uint8_t *sh = has ? c->in->shas[n->fid] : NULL;
        const int64_t *hi = has ? c->in->shi[n->fid] : NULL;
        int64_t sv = has ? batch_sval(c->in, n->fid, row) : 0;
        *out = uv_unknown(0);
        if (has && (!sh || sh[row])) {
            memset(out, 0, sizeof *out);
            out->tv = TV_OK;
            out->lo = out->hi = q_int(sv);
        } else if (hi && hi[row] > sv) {
            *out = uv_unknown(VU_LO | VU_HI);
            out->lo = q_int(sv);
            out->hi = q_int(hi[row]);
        }
        return 0;
    }
    case ND_DIV: /* eval.c's arith() when the quotient is unknown */
        if (f_exact_val(c, n->a, r, depth + 1, &a) ||
            f_exact_val(c, n->b, r, depth + 1, &b)) {
            return -1;
        }
        if (b.tv != TV_U && q_cmp(b.lo, q_int(0)) <= 0 &&
            q_cmp(b.hi, q_int(0)) >= 0) {
            *out = uv_unknown(VU_NA); /* a zero divisor: not applicable */
            return 0;
        }
        if (a.tv != TV_U && b.tv != TV_U) {
            return -1;
        }
        *out = uv_unknown(uv_na(&a) || uv_na(&b) ? VU_NA : 0);
        return 0;
    case ND_MAX:
    case ND_MIN:
        if (f_exact_val(c, n->a, r, depth + 1, &a) ||
            f_exact_val(c, n->b, r, depth + 1, &b) ||
            (a.tv != TV_U && b.tv != TV_U)) {
            return -1;
        }
        *out = uv_maxmin(n->kind, &a, &b);
        return 0;
    case ND_AND:
    case ND_OR:
        if (f_exact_val(c, n->a, r, depth + 1, &a)) {
            return -1;
        }
        if (a.tv == TV_OK && (a.lo.n != 0) == (n->kind == ND_OR)) {
            /* the dominating value: logic() gives it whatever b is (the
             * value is eval.c's; b is not computed) */
            f_exact_bool(n->kind == ND_OR, out);
            return 0;
        }
        if (f_exact_val(c, n->b, r, depth + 1, &b)) {
            return -1;
        }
        f_exact_logic(n->kind, &a, &b, out);
        return 0;
    case ND_NOT:
        if (f_exact_val(c, n->a, r, depth + 1, &a)) {
            return -1;
        }
        if (a.tv == TV_OK) {
            f_exact_bool(a.lo.n == 0, out);
        } else {
            *out = a.tv == TV_U ? uv_unknown(0) : a;
        }
        return 0;
    case ND_BAND:
        if (f_exact_val(c, n->a, r, depth + 1, &a) || a.tv != TV_U) {
            return -1;
        }
        if (!(a.u & (VU_LO | VU_HI))) {
            unsigned h =
                (unsigned)(((uintptr_t)n >> 4) * 2 + !!(a.u & VU_NA)) % 8;
            const Node *key = (const Node *)((uintptr_t)n | !!(a.u & VU_NA));
            if (c->ubkey[h] != key) {
                c->ubval[h] = uv_band(n, &a);
                c->ubkey[h] = key;
            }
            *out = c->ubval[h];
            return 0;
        }
        *out = uv_band(n, &a);
        return 0;
    default:
        return -1;
    }
}

/* Rows where v is unknown and bounds of unknown values (uval.h), which
 * these kernels do not carry, may decide it go to the exact path: all of
 * them when v's own expression holds such a decision, else those where
 * one of the items src that hold one is unknown and would be decided
 * there (f_exact_val). An item that was not evaluated for a row (an
 * AND / OR shortcut skipped it: an operand beside it decided) cannot
 * change that row's result. */
static void f_refine(FCtx *c, const FBlk *v, int direct, const int16_t *src,
                     int n, int r, const Node *whole, int is_pass)
{
    Node ref;
    if (v->t[r] != FT_U || c->bail[r]) {
        return;
    }
    memset(&ref, 0, sizeof ref);
    ref.kind = ND_ITEM;
    do {
        Val x;
        if (direct) {
            c->bail[r] = 1;
        }
        for (int k = 0; k < n && !c->bail[r]; k++) {
            const FShadow *sh = c->shadow[src[k]];
            /* unknown as in eval.c (fx): no bound can make it known */
            if (sh->at[r] != c->stamp || sh->t[r] != FT_U || sh->fx[r]) {
                continue;
            }
            ref.fid = src[k];
            c->rf[r] = 1;
            c->bail[r] = f_exact_val(c, &ref, r, 0, &x) || x.tv != TV_U;
        }
        /* the verdict or the total itself, when f_exact_val can compute
         * it (as rule_eval: the total's range when it is known) */
        c->rf[r] |= c->bail[r];
        if (!c->bail[r] || f_exact_val(c, whole, r, 0, &x) != 0) {
            break;
        }
        if (is_pass) {
            c->pov[r] = (uint8_t)(1 + (x.tv == TV_U   ? RULE_V_UNKNOWN
                                       : x.tv == TV_M ? RULE_V_MANUAL
                                       : x.tv == TV_E ? RULE_V_EXPERT
                                       : x.lo.n       ? RULE_V_MET
                                                      : RULE_V_UNMET));
        } else {
            __int128 lo = q_floor(x.lo), hi = q_ceil(x.hi);
            if (x.tv == TV_M || (x.tv != TV_U && !(fits64(lo) && fits64(hi)))) {
                break; /* a pending total's numbers: the exact path */
            }
            c->tov[r] = x.tv == TV_U ? 1 : 2;
            c->tlo[r] = x.tv == TV_U ? 0 : (int64_t)lo;
            c->thi[r] = x.tv == TV_U ? 0 : (int64_t)hi;
        }
        c->bail[r] = 0;
    } while (0);
}

/* The outcome rule_eval() shows for item i of exact value v (batch.c's
 * outcome_of). */
static int f_exact_outcome(const FCtx *c, int i, const Val *v)
{
    if (v->tv == TV_U) {
        return uv_outcome(v, c->p->alt[i]);
    }
    if (v->tv == TV_M) {
        return RULE_V_MANUAL;
    }
    if (v->tv == TV_E) {
        return RULE_V_EXPERT;
    }
    if (c->rs->items[i].unit == UN_BOOL) {
        return v->lo.n ? RULE_V_MET : RULE_V_UNMET;
    }
    return q_cmp(v->lo, v->hi) != 0 ? RULE_V_EXPERT : RULE_V_INFO;
}

/* Item outcomes (c->oc) the fast path left unknown and bounds may decide
 * (refine_item): computed exactly by f_exact_val, row by row (its item
 * values memoised for the row); a row it cannot compute goes to the
 * exact path. */
static void f_refine_items(FCtx *c, int m)
{
    const BatchProg *p = c->p;
    int ri[RULES_MAX_ITEMS], n = 0;
    uint8_t any[BLK];
    Node ref;
    for (int i = 0; i < c->rs->n_items; i++) {
        /* an item whose unknown rows are eval.c's (fx) needs nothing */
        if (p->has_row[i] && p->refine_item[i] && !c->ifx[i]) {
            ri[n++] = i;
        }
    }
    if (n == 0) {
        return;
    }
    memset(any, 0, sizeof any);
    for (int k = 0; k < n; k++) { /* rows with such an outcome: a scan */
        const uint8_t *o = &c->oc[(size_t)ri[k] * BLK];
        for (int r = 0; r < m; r++) {
            any[r] |= o[r] == RULE_V_UNKNOWN;
        }
    }
    memset(&ref, 0, sizeof ref);
    ref.kind = ND_ITEM;
    for (int r = 0; r < m; r++) {
        c->rf[r] |= any[r];
        for (int k = 0; k < n && any[r] && !c->bail[r]; k++) {
            uint8_t *o = &c->oc[(size_t)ri[k] * BLK + (size_t)r];
            Val x;
            if (*o != RULE_V_UNKNOWN) {
                continue;
            }
            ref.fid = ri[k];
            if (f_exact_val(c, &ref, r, 0, &x)) {
                c->bail[r] = 1;
            } else {
                *o = (uint8_t)f_exact_outcome(c, ri[k], &x);
            }
        }
    }
}

static void f_block(FCtx *c, size_t base, int m, const BatchOut *out,
                    const ConflictCols *cc, int ncc)
{
    const RuleSet *rs = c->rs;
    const FBlk *pass, *tot = NULL;
    FBlk *tp, *tt = NULL;
    int kp, kt = FK_R;
    int want_total = out->has_total || out->total_lo || out->total_hi;
    int want_items = out->item_outcome || out->n_unmet || out->n_unknown;
    uint8_t nc[BLK];
    uint16_t nu[BLK], nk[BLK];

    c->base = base;
    c->m = m;
    c->bm = m;
    c->sel = c->sel0;
    c->ident = 1;
    c->sdepth = 0;
    c->gen = ++c->gen_next; /* every item block is stale */
    c->gen0 = c->gen;
    if (++c->stamp == 0) { /* wrapped: no shadow row is current */
        for (int i = 0; i < RULES_MAX_ITEMS; i++) {
            if (c->shadow[i]) {
                memset(c->shadow[i]->at, 0, sizeof c->shadow[i]->at);
            }
        }
        memset(c->xm_at, 0, sizeof c->xm_at);
        for (int k = 0; k < c->n_sums; k++) {
            memset(c->sums[k]->at, 0, sizeof c->sums[k]->at);
            c->sums[k]->blk_at = c->sums[k]->pts_at = 0;
        }
        c->stamp = 1;
    }
    c->shortcut = !want_items && (!want_total || c->p->score_skip);
    c->items_mode = want_items;
    c->bounds = want_items;
    memset(c->src_bnd, 0, sizeof c->src_bnd);
    memset(c->fx_read, 0, sizeof c->fx_read);
    for (int k = 0; k < c->p->n_pass_src; k++) {
        c->src_bnd[c->p->pass_src[k]] = !want_items;
        c->fx_read[c->p->pass_src[k]] = 1;
    }
    for (int k = 0; k < c->p->n_total_src; k++) {
        c->fx_read[c->p->total_src[k]] = 1;
    }
    c->yctx = 0;
    c->depth = 0;
    c->top = 0;
    c->all_bail = 0;
    c->ey_ready = 0;
    memset(c->bail, 0, sizeof c->bail);
    memset(c->pov, 0, sizeof c->pov);
    memset(c->tov, 0, sizeof c->tov);
    memset(c->rf, 0, sizeof c->rf);
    tp = f_push(c);
    if (want_total) {
        tt = f_push(c);
    }
    if (!tp || (want_total && !tt)) {
        c->all_bail = 1;
        return;
    }
    if (tt) { /* every row, before pass skips any */
        tot = fev(c, rs->total, tt, &kt);
    }
    pass = fev(c, rs->pass, tp, &kp);
    if (c->all_bail) {
        return;
    }
    /* row by row, the verdict then the total (they share f_exact_val's
     * item values, memoised for the row) */
    if (c->p->refine_pass || (tot && c->p->refine_total)) {
        uint8_t up[BLK], ut[BLK];
        /* a verdict or total whose unknown rows are eval.c's (fx) needs
         * nothing */
        int rp = c->p->refine_pass && !f_bnd(c, rs->pass, -1, pass);
        int rt = tot && c->p->refine_total && !f_bnd(c, rs->total, -1, tot);
        for (int r = 0; r < m; r++) { /* the unknown rows: a scan */
            up[r] = (uint8_t)(rp & (pass->t[r] == FT_U));
            ut[r] = (uint8_t)(rt && tot->t[r] == FT_U);
        }
        for (int r = 0; r < m; r++) {
            if (up[r]) {
                f_refine(c, pass, c->p->pass_direct, c->p->pass_src,
                         c->p->n_pass_src, r, rs->pass, 1);
            }
            if (ut[r]) {
                f_refine(c, tot, c->p->total_direct, c->p->total_src,
                         c->p->n_total_src, r, rs->total, 0);
            }
        }
    }
    if (c->all_bail) {
        return;
    }
    /* the outcome of every item that has an explanation row (shortcuts
     * are off, so items are whole blocks); bailed rows are redone */
    if (want_items) {
        uint8_t *oc;
        if (!c->oc) {
            c->oc = xmalloc((size_t)rs->n_items * BLK);
        }
        oc = c->oc;
        memset(nu, 0, sizeof nu);
        memset(nk, 0, sizeof nk);
        for (int i = 0; i < rs->n_items; i++) {
            const FBlk *v;
            if (!c->p->has_row[i]) {
                continue;
            }
            v = f_item(c, i);
            if (c->all_bail) {
                return;
            }
            c->ifx[i] = (uint8_t)f_bnd(c, NULL, i, v);
            f_outcomes(&rs->items[i], c->p->fkind[i], v, m,
                       &oc[(size_t)i * BLK]);
        }
        /* an unknown outcome that bounds may decide (refine_item): its
         * exact value, row by row (f_exact_val), else the exact path */
        if (c->p->refine_any) {
            f_refine_items(c, m);
        }
        for (int i = 0; i < rs->n_items; i++) {
            uint8_t *dst;
            if (!c->p->has_row[i]) {
                continue;
            }
            dst = out->item_outcome ? out->item_outcome[i] : NULL;
            for (int r = 0; r < m; r++) {
                int o = oc[(size_t)i * BLK + (size_t)r];
                nu[r] += o == RULE_V_UNMET;
                nk[r] += o == RULE_V_UNKNOWN;
                if (dst) {
                    dst[base + (size_t)r] = (uint8_t)o;
                }
            }
        }
    }
    /* conflict rows: a part larger than its whole (ncc < 255), or as the
     * input gives them */
    memset(nc, 0, sizeof nc);
    if (c->in->n_conflicts) {
        memcpy(nc, c->in->n_conflicts + base, (size_t)m);
    }
    for (int k = 0; k < ncc; k++) {
        if (m == BLK) {
            f_conflicts_full(cc[k].pv + base, cc[k].wv + base,
                             cc[k].ph ? cc[k].ph + base : NULL,
                             cc[k].wh ? cc[k].wh + base : NULL, nc);
        } else {
            const int64_t *pv = cc[k].pv + base, *wv = cc[k].wv + base;
            const uint8_t *ph = cc[k].ph ? cc[k].ph + base : NULL;
            const uint8_t *wh = cc[k].wh ? cc[k].wh + base : NULL;
            for (int r = 0; r < m; r++) {
                nc[r] += (uint8_t)((pv[r] > wv[r]) & (!ph || ph[r] != 0) &
                                   (!wh || wh[r] != 0));
            }
        }
    }
    for (int r = 0; r < m; r++) {
        size_t row = base + (size_t)r;
        int verdict;
        if (c->bail[r]) {
            continue;
        }
        switch (c->pov[r] ? 255 : pass->t[r]) {
        case 255:
            verdict = c->pov[r] - 1;
            break;
        case FT_U:
            verdict = RULE_V_UNKNOWN;
            break;
        case FT_M:
            verdict = RULE_V_MANUAL;
            break;
        case FT_E:
            verdict = RULE_V_EXPERT;
            break;
        default:
            verdict = pass->lo[r] ? RULE_V_MET : RULE_V_UNMET;
            break;
        }
        if (nc[r]) {
            verdict = RULE_V_CONFLICT;
        }
        out->verdict[row] = (uint8_t)verdict;
        if (out->n_conflicts) {
            out->n_conflicts[row] = nc[r];
        }
        if (out->n_unmet) {
            out->n_unmet[row] = nu[r];
        }
        if (out->n_unknown) {
            out->n_unknown[row] = nk[r];
        }
        if (tot) {
            int has = tot->t[r] != FT_U;
            int64_t lo = 0, hi = 0;
            if (c->tov[r]) {
                has = c->tov[r] == 2;
                lo = c->tlo[r];
                hi = c->thi[r];
            } else if (has && kt == FK_R) {
                lo = tot->lo[r];
                hi = tot->hi[r];
            } else if (has) {
                Q q;
                q.n = tot->lo[r];
                q.d = tot->hi[r];
                lo = (int64_t)q_floor(q);
                hi = (int64_t)q_ceil(q);
            }
            if (out->has_total) {
                out->has_total[row] = (uint8_t)has;
            }
            if (out->total_lo) {
                out->total_lo[row] = lo;
            }
            if (out->total_hi) {
                out->total_hi[row] = hi;
            }
        }
    }
}

size_t BATCH_FAST(batch_fast_refined)(const BatchFast *c)
{
    return c->n_refined;
}

int BATCH_FAST(batch_fast_block)(BatchFast *c, size_t base, int m,
                                 const BatchOut *out, const ConflictCols *cc,
                                 int ncc, const uint8_t **bail)
{
    f_block(c, base, m, out, cc, ncc);
    for (int r = 0; r < m; r++) {
        c->n_refined += c->rf[r];
    }
    *bail = c->bail;
    return c->all_bail;
}
