/* eval.h - evaluation internals shared by eval.c, explain.c and rules.c.
 *
 * A Val is a three-valued (plus "expert" and "manual") value: a number as
 * an exact interval [lo, hi], or a condition (lo.n 0/1). Missing inputs
 * are recorded in bit sets (one bit per yearly field and year slot, then
 * one per scalar field) so a result can name them. */
#ifndef KC_RULES_EVAL_H
#define KC_RULES_EVAL_H

#include "base/arena.h"
#include "base/date.h"
#include "rules/ast.h"
#include "rules/field.h"
#include "rules/rules.h"

enum {
    TV_OK = 0, /* known (a number, or a condition in lo.n) */
    TV_U,      /* unknown: data missing or not computable */
    TV_E,      /* a condition that depends on expert scores */
    TV_M,      /* depends on a criterion that needs manual confirmation */
};

typedef struct Val {
    int tv;
    int u; /* TV_U only: which bounds hold, not applicable (uval.h) */
    Q lo, hi;
} Val;

#define MISS_WORDS 4
#define MISS_SCALAR_BASE (RULE_N_YEARLY * RULE_YEARS)
typedef struct MissSet {
    uint64_t w[MISS_WORDS];
} MissSet;

#define RULE_INPUT_MAX_EXPERT 32

typedef struct ExpertIn {
    char item[RULES_MAX_IDENT + 1];
    char grade[RULES_MAX_IDENT + 1]; /* "" when score is set */
    int64_t score;
} ExpertIn;

struct RuleInput {
    int year;
    Date asof;
    int64_t yv[RULE_N_YEARLY][RULE_YEARS];
    uint8_t yhas[RULE_N_YEARLY][RULE_YEARS];
    int64_t sv[RULE_MAX_FIELDS];
    uint8_t shas[RULE_MAX_FIELDS];
    /* a missing scalar with shi[f] > sv[f] is unknown within [sv, shi]
     * (rule_input_set_bounds) */
    int64_t shi[RULE_MAX_FIELDS];
    ExpertIn ex[RULE_INPUT_MAX_EXPERT];
    int n_ex;
};

typedef struct RowOut {
    int item; /* index in rs->items, or -1 for a conflict row */
    RuleRow row;
} RowOut;

struct RuleResult {
    Arena arena;
    const RuleSet *rs;
    int year;
    Date asof;
    int verdict;
    int has_total;
    int64_t total_lo, total_hi;
    const char *moot; /* fields not filled in that cannot change it */
    /* every input slot the evaluation fetched (criteria and the check for
     * contradictory parts), and the criteria's alone */
    MissSet read, read_crit;
    const char *path; /* the alternative that passed (rule_result_path) */
    Val pass;
    Val *vals; /* per item */
    RowOut *rows;
    int n_rows;
    char input_hash[65];
};

#endif
