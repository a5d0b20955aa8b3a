/* explain.h - values, expressions, missing fields and gaps as zh-CN text
 * (see explain.c). Everything is appended to a caller's Buf. */
#ifndef KC_RULES_EXPLAIN_H
#define KC_RULES_EXPLAIN_H

#include "base/buf.h"
#include "rules/eval.h"

/* Append a value in its unit ("4200 万元", "7.14%", "7–8 分", "是"). */
void explain_value(Buf *b, const Val *v, int unit);
/* The same, with enough decimals that a value other than ref does not
 * print as ref ("59.9999%" against "60%", never "60%"). */
void explain_value_vs(Buf *b, const Val *v, int unit, const Val *ref);
/* Append an unknown value within known bounds (uv_bounded) as its range:
 * a count says how many rights are uncertain ("1–3 项（其中 2 项未填…）"),
 * anything else "（数据不全，可能的范围）". */
void explain_bounded(Buf *b, const Val *v, int unit);
/* Append an expression in rule syntax (for requirements and diffs). */
void explain_node(Buf *b, const Node *n);
/* Append the names of the fields in m ("销售收入[2022]、…"); zero marks
 * fields whose value was zero where a divisor was needed. */
void explain_missing(Buf *b, const MissSet *m, const MissSet *zero, int year);
/* The same, naming a yearly field of a year before est_year (the
 * enterprise's year of establishment; 0 = unknown) as such instead of as
 * missing or zero. */
void explain_missing_est(Buf *b, const MissSet *m, const MissSet *zero,
                         int year, int est_year);
/* Append the phrase for changing field (or derived, item) by delta in its
 * unit: "研发费用再增加 42.3 万元", "再有 1 项Ⅰ类知识产权". */
void explain_gap(Buf *b, const char *label, int unit, __int128 delta, int year);

#endif
