/* rules.h - the rule engine's public interface.
 *
 * A RuleSet is one rule file (one tier, jurisdiction and version), parsed
 * and compiled once, immutable afterwards and safe to share between
 * threads. A RuleInput holds one enterprise's figures for one evaluation
 * (yearly fields for the evaluation year and the seven before it, scalar
 * fields, expert grades); missing values stay missing and make results
 * unknown, never zero. rule_eval() gives a RuleResult: the verdict, the
 * score range, and one row per criterion with actual value, requirement,
 * outcome and gap. See docs/rules.md (the language, zh-CN) and
 * docs/internals/rules.md (design notes). */
#ifndef KC_RULES_RULES_H
#define KC_RULES_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"

/* Verdicts and criterion outcomes. */
enum {
    RULE_V_MET = 1,  /* 达标 */
    RULE_V_UNMET,    /* 未达标 */
    RULE_V_UNKNOWN,  /* 缺数据 */
    RULE_V_EXPERT,   /* 待专家评审: expert scores decide */
    RULE_V_MANUAL,   /* 待人工确认: an unconfirmed criterion decides */
    RULE_V_CONFLICT, /* 数据矛盾: contradictory input, not scored */
    RULE_V_INFO,     /* a value shown for information (no outcome) */
};

/* Years of yearly data an input holds: the evaluation year and the
 * RULE_YEARS - 1 years before it. */
#define RULE_YEARS 8

typedef struct RuleSet RuleSet;
typedef struct RuleInput RuleInput;
typedef struct RuleResult RuleResult;

/* zh-CN word of a verdict ("达标" ...). */
const char *rule_verdict_name(int v);

/* ---- rule sets ---- */

/* Parse and compile a rule file. path is used in messages only. On success
 * *out is a new RuleSet the caller frees with rule_set_free(). Errors are
 * ERR_INVALID / ERR_TOOBIG with "path:line:col: message" in e->msg. */
int rule_set_parse(const char *path, const char *src, size_t len, RuleSet **out,
                   Err *e);
void rule_set_free(RuleSet *rs);

/* Header values (never NULL; "" when absent). */
const char *rule_set_id(const RuleSet *rs);
const char *rule_set_name(const RuleSet *rs);
const char *rule_set_tier(const RuleSet *rs);
const char *rule_set_doc(const RuleSet *rs);
const char *rule_set_status(const RuleSet *rs);
const char *rule_set_path(const RuleSet *rs);
/* SHA-256 of the file's bytes, 64 hex digits. */
const char *rule_set_hash(const RuleSet *rs);
/* Effective period (DATE_MIN / DATE_MAX when open). */
void rule_set_effective(const RuleSet *rs, Date *from, Date *to);
int rule_set_n_cases(const RuleSet *rs);
const char *rule_set_case_name(const RuleSet *rs, int i);
/* More header values: issuer and region ("" when absent), and the
 * source lines in file order (i out of range gives ""). */
const char *rule_set_issuer(const RuleSet *rs);
const char *rule_set_region(const RuleSet *rs);
int rule_set_n_sources(const RuleSet *rs);
const char *rule_set_source(const RuleSet *rs, int i);
/* The rule set's 口径说明 ("assume" lines), shown with every evaluation. */
int rule_set_n_assumes(const RuleSet *rs);
const char *rule_set_assume(const RuleSet *rs, int i);

/* Run embedded case i. Returns 1 when the result matches the expectation,
 * 0 when not (what differs is appended to why, in zh-CN). */
int rule_set_run_case(const RuleSet *rs, int i, Buf *why);

/* Append a zh-CN, human-readable list of what differs between two rule
 * sets: header values, criteria added or removed, changed labels,
 * thresholds and band tables. Returns the number of differences. */
int rule_set_diff(const RuleSet *a, const RuleSet *b, Buf *out);

/* ---- inputs ---- */

/* A new empty input for evaluation year `year` (the year of application /
 * evaluation; rule files index data relative to it) at date asof. The
 * caller frees it with rule_input_free(). */
RuleInput *rule_input_new(int year, Date asof);
void rule_input_free(RuleInput *in);
/* A copy (for what-if evaluations). */
RuleInput *rule_input_clone(const RuleInput *in);
int rule_input_year(const RuleInput *in);
/* Set a yearly field for an absolute year (year-7 .. year) or a scalar
 * field (dates as Date, booleans 0/1). ERR_INVALID for an unknown field,
 * a year outside the window or a field of the other kind. */
int rule_input_set_year(RuleInput *in, int field, int year, int64_t v, Err *e);
int rule_input_set(RuleInput *in, int field, int64_t v, Err *e);
/* A bounded scalar field (RuleField.bounded) that is not known but lies
 * in [lo, hi]: e.g. ip1 when some rights leave 用于主要产品 blank. It
 * reads as missing (listed among what is missing) with those bounds, so a
 * threshold that every value in the range meets, or none does, is still
 * decided. lo == hi sets the value. */
int rule_input_set_bounds(RuleInput *in, int field, int64_t lo, int64_t hi,
                          Err *e);
/* Mark a value missing again. */
void rule_input_unset_year(RuleInput *in, int field, int year);
void rule_input_unset(RuleInput *in, int field);
/* Expert judgement for an expert item of a rule set: a grade code ("A")
 * or, with grade NULL, an exact score. */
int rule_input_set_expert(RuleInput *in, const char *item, const char *grade,
                          int64_t score, Err *e);
/* Set a field by name with a value in text, as users and case files write
 * it: "employees[2022]=80", "rd_expense[2022]=42.3万", "established=
 * 2015-06-01", "hnte_cert=是", "expert.tech_adv=A". */
int rule_input_assign(RuleInput *in, const char *assignment, Err *e);
/* One IP right as the domain holds it (ip_rights row), for
 * rule_input_count_ip(). */
typedef struct RuleIpRight {
    int klass;        /* 1 = Ⅰ类, 2 = Ⅱ类, else not counted */
    int valid;        /* granted and in force at the as-of date and not
                         disputed: 1 yes, 0 no, -1 not known (no grant date) */
    Date expires_on;  /* DATE_MAX when unknown or unlimited */
    int acquired;     /* 1 = 受让、受赠、并购; 0 = 自主研发 */
    int main_product; /* related to the main product (service): 1 yes, 0 no,
                         -1 not known (a blank cell) */
    int hnte_year;    /* year of the 高企 application that used it, or 0 */
} RuleIpRight;

/* Derive the IP counts rule files use from a list of rights: ip1, ip2
 * (valid at the as-of date and related to the main product), ip2_unused
 * (Ⅱ类 not used in an earlier 高企 application: they may be used once),
 * ip1_self, ip1_high, ip1_applied, ip_self (self-developed among ip1 and
 * ip2_unused), and ip1_all / ip2_all (valid at the as-of date, main
 * product or not). A right whose validity or main-product flag is not
 * known makes the counts it may belong to unknown within bounds (the
 * rights that surely count .. those that may). ip1_high and ip1_applied
 * are 0 when no right may count as ip1, else missing (ip_rights has no such
 * flags). Overwrites those fields. */
void rule_input_count_ip(RuleInput *in, const RuleIpRight *ips, int n);

/* The same counting one right at a time, for readers that scan all rights
 * of a library at once (the columnar snapshot): zero a RuleIpCounts, add
 * each right of an enterprise, then rule_ip_counts_put() calls put once
 * per IP field with its bounds (lo == hi: known). */
#define RULE_IPC_N 7
typedef struct RuleIpCounts {
    int32_t lo[RULE_IPC_N], hi[RULE_IPC_N]; /* 56 bytes: one per enterprise */
} RuleIpCounts;
void rule_ip_count_add(RuleIpCounts *c, const RuleIpRight *r, Date asof);
void rule_ip_counts_put(const RuleIpCounts *c,
                        void (*put)(void *ctx, int field, int64_t lo,
                                    int64_t hi),
                        void *ctx);

/* SHA-256 (hex) of the input, for decision records: the SHA-256 of
 * "y=<year>;asof=<date>;" followed by the 32-byte SHA-256 of the
 * content (every value, bound and expert judgement, by field name and
 * absolute year), so that a reader that keeps the content digest of an
 * unchanged input re-dates it with one short hash
 * (rule_input_hash_dated). */
void rule_input_hash(const RuleInput *in, char out[65]);
void rule_input_hash_dated(int year, Date asof, const uint8_t content[32],
                           uint8_t out[32]);

/* ---- evaluation ---- */

/* Evaluate rs on in. *out is a new result the caller frees with
 * rule_result_free(). Fails only on an internal error. */
int rule_eval(const RuleSet *rs, const RuleInput *in, RuleResult **out, Err *e);
/* rule_eval with in's rule_input_hash() given (hash): for many rule sets
 * over one input, the hash computed once. */
int rule_eval_hashed(const RuleSet *rs, const RuleInput *in,
                     const char hash[65], RuleResult **out, Err *e);
void rule_result_free(RuleResult *r);
int rule_result_verdict(const RuleResult *r);
/* Total score range (both 0 and has_total 0 when the rule set has none).
 * Scores are rounded down (lo) and up (hi) to whole points. */
int rule_result_total(const RuleResult *r, int64_t *lo, int64_t *hi);
int rule_result_n_rows(const RuleResult *r);

/* One row of the explanation table; strings live as long as the result. */
typedef struct RuleRow {
    const char *id;
    const char *label;
    int depth;            /* nesting under groups */
    int outcome;          /* RULE_V_* */
    const char *actual;   /* "7.14%", "4200 万元", "16 分" or "" */
    const char *required; /* "≥ 60 分", "≤ 500 人" or "" */
    const char *gap;      /* "研发费用再增加 42.3 万元" or "" */
    const char *missing;  /* "销售收入[2022]、研发费用[2022]" or "" */
    const char *moot;     /* not filled in, but cannot change the outcome */
    int alternatives;     /* a group of which one member suffices */
    int unfixable;        /* unmet, and no improvement can meet it (its data are
                             facts such as the date of establishment or a listing) */
    int question; /* a question for manual confirmation that decides here */
    int idle;     /* such a question that does not arise for this input:
                     explanations leave the row out */
} RuleRow;
/* The alternative by which the verdict was reached, when pass has more
 * than one ("直通条件（满足其一）：拥有有效期内的高新技术企业资格证书"), or "".
 */
const char *rule_result_path(const RuleResult *r);
/* Fields read but not filled in that cannot change the verdict, or "". */
const char *rule_result_moot(const RuleResult *r);
/* Append the input fields the criteria read, present or not
 * ("销售收入[2023]、…"; nothing when none). Expert judgements are read by
 * their expert items only. Built on request: it is not cheap. */
int rule_result_reads(const RuleResult *r, Buf *out);
/* 1 when the evaluation fetched field (a yearly field: of that absolute
 * year; year is ignored for a scalar): by a criterion, or by the check
 * for contradictory parts (数据矛盾), which reads its pairs in every year.
 * Changing an input it did not fetch cannot change the verdict or the
 * score (tests/unit/test_batch.c checks this). */
int rule_result_read(const RuleResult *r, int field, int year);
void rule_result_row(const RuleResult *r, int i, RuleRow *row);

/* Append the whole explanation (header, verdict, score, table, hashes) as
 * text. The JSON form is the eligibility API's: elig_result_json()
 * (src/domain/eligibility/elig_explain.c), which `rules eval --json` prints
 * too.
 */
int rule_result_format_text(const RuleResult *r, Buf *out);
/* Hashes and date recorded with a decision. */
const char *rule_result_ruleset_hash(const RuleResult *r);
const char *rule_result_input_hash(const RuleResult *r);

#endif
