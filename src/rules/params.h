/* params.h - the numbers of a rule set that a form can change: the
 * numeric literals of conditions, the bounds and values of band tables,
 * the values of cases tables and the maximum of scores. They are found by
 * walking the compiled tree (so every rule set gets its form without code
 * of its own), each with the label of its item and its place in the text;
 * the form's edits are written back into the text, which is parsed again
 * (the text stays the one source). See docs/internals/rules.md. */
#ifndef KC_RULES_PARAMS_H
#define KC_RULES_PARAMS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "rules/rules.h"

#define RULE_PARAMS_MAX 2000 /* numbers listed for one rule set */
#define RULE_PARAM_TEXT_MAX 64

enum {
    RULE_PARAM_THRESHOLD = 1, /* a number in a condition or formula */
    RULE_PARAM_BAND_LO,       /* lower bound of a band table's row */
    RULE_PARAM_BAND_HI,       /* upper bound of a band table's row */
    RULE_PARAM_VALUE,         /* value of a band or cases row (may be a..b) */
    RULE_PARAM_MAX,           /* `max` of a score */
};

typedef struct RuleParam {
    int kind;
    const char *item_id; /* the item (or yearly definition) it belongs to */
    const char *label;   /* its label, else its id */
    int row;             /* row of a band/cases table from 1; else 0 */
    int line, col;       /* where the literal starts (col in characters) */
    size_t off, len;     /* the literal's bytes in the source */
    int unit;            /* the literal's unit (rule_param_unit_name) */
} RuleParam;

/* Every changeable number of rs, whose text is src (len bytes,
 * NUL-terminated, the text rs was parsed from), in text order. *out is
 * malloc'd (free()); *n its length. Items without a label that are not
 * conditions (`let y = year - 1`) are left out. ERR_TOOBIG past
 * RULE_PARAMS_MAX. */
int rule_params_list(const RuleSet *rs, const char *src, size_t len,
                     RuleParam **out, int *n, Err *e);

/* zh-CN names: of a kind ("条件中的数值", "区间下限" ...) and of a unit
 * ("元", "%", "项" ..., "" for a bare number). */
const char *rule_param_kind_name(int kind);
const char *rule_param_unit_name(int unit);

/* Is text one literal that may replace a parameter of this kind: a number
 * with an optional unit (10万, 5%, 3项), a date for a date, and for
 * RULE_PARAM_VALUE also lo..hi? ERR_INVALID naming `field` otherwise. */
int rule_param_text_check(int kind, const char *text, const char *field,
                          Err *e);

/* One edit: replace parameter `index` of list ps by text. */
typedef struct RuleParamEdit {
    int index;
    const char *text;
} RuleParamEdit;

/* The source with the edits applied (each text checked as above, each
 * index at most once) into out. The caller parses the result. */
int rule_params_apply(const char *src, size_t len, const RuleParam *ps, int n,
                      const RuleParamEdit *edits, int n_edits, Buf *out,
                      Err *e);

#endif
