/* parser.c - parse and compile a rule file (see parser.h, docs/rules.md).
 *
 * Recursive descent with one token of lookahead beyond the current one.
 * Every error names file:line:col of the offending token. Depth, counts and
 * sizes are capped (ast.h). */
#include "rules/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "rules/field.h"
#include "rules/lexer.h"
#include "rules/q.h"
#include "rules/rules.h"

#define MAX_ALIASES 8

typedef struct Parser {
    Lexer lx;
    Token cur, nxt;
    RuleSet *rs;
    Err *e;
    int depth;
    int yearly_ctx; /* parsing a `yearly` definition: bare yearly fields */
    char alias[MAX_ALIASES][RULES_MAX_IDENT + 1];
    int alias_off[MAX_ALIASES];
    int n_alias;
    int case_year; /* while parsing a case: its year (0 = not set) */
    int n_nodes;   /* nodes made so far (RULES_MAX_NODES) */
} Parser;

static void perr_set(Parser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill p->e with "file:line:col: message" for token t. A macro so that the
 * constant result is visible to static analysis (variadic functions are
 * not inlined by it). */
#define perr(...) (perr_set(__VA_ARGS__), ERR_INVALID)

/* Set p's error (code) as "file:line:col: message" at token t. */
static void perr_vset(Parser *p, int code, const Token *t, const char *fmt,
                      va_list ap)
{
    char msg[384];
    vsnprintf(msg, sizeof msg, fmt, ap);
    err_set(p->e, code, NULL, "%s:%d:%d: %s", p->lx.path, t->line, t->col, msg);
}

static void perr_set(Parser *p, const Token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    perr_vset(p, ERR_INVALID, t, fmt, ap);
    va_end(ap);
}

static int advance(Parser *p)
{
    p->cur = p->nxt;
    if (p->cur.kind == TK_EOF) {
        return 0;
    }
    return lexer_next(&p->lx, &p->nxt, p->e);
}

static int is_punct(const Token *t, const char *s)
{
    return t->kind == TK_PUNCT && strcmp(t->text, s) == 0;
}

static int is_word(const Token *t, const char *s)
{
    return t->kind == TK_IDENT && strcmp(t->text, s) == 0;
}

static int expect_punct(Parser *p, const char *s)
{
    if (!is_punct(&p->cur, s)) {
        return perr(p, &p->cur, "此处应为“%s”", s);
    }
    return advance(p);
}

static char *dup_tok(Parser *p, const Token *t)
{
    char *s = arena_strndup(&p->rs->arena, t->text, t->len);
    return s ? s : (char *)"";
}

static void *alloc(Parser *p, size_t n)
{
    void *m = arena_alloc(&p->rs->arena, n);
    if (!m) {
        abort();
    }
    return m;
}

static Node *new_node(Parser *p, int kind, const Token *at)
{
    Node *n = alloc(p, sizeof *n);
    n->kind = kind;
    n->line = at->line;
    n->col = at->col;
    n->lo.d = n->hi.d = 1;
    n->height = 1;
    p->n_nodes++;
    return n;
}

static int too_big(Parser *p, const Token *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An ERR_TOOBIG error at token at, as perr. */
static int too_big(Parser *p, const Token *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    perr_vset(p, ERR_TOOBIG, at, fmt, ap);
    va_end(ap);
    return ERR_TOOBIG;
}

/* Fails once the rule set has more than RULES_MAX_NODES nodes. */
static int check_nodes(Parser *p, const Token *at)
{
    if (p->n_nodes > RULES_MAX_NODES) {
        return too_big(p, at, "规则集过大：表达式的运算和取值超过 %d 个",
                       RULES_MAX_NODES);
    }
    return 0;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* Set the height of n from its operands, arms and what it refers to (its
 * children are complete) and enforce RULES_MAX_HEIGHT and
 * RULES_MAX_NODES. Every walk of the tree recurses at most this deep. */
static int seal(Parser *p, Node *n, const Token *at)
{
    int h = 0;
    if (n->a) {
        h = max_int(h, n->a->height);
    }
    if (n->b) {
        h = max_int(h, n->b->height);
    }
    for (int i = 0; i < n->n_arms; i++) {
        if (n->arms[i].cond) {
            h = max_int(h, n->arms[i].cond->height);
        }
        if (n->arms[i].value) {
            h = max_int(h, n->arms[i].value->height);
        }
    }
    if (n->kind == ND_DERIVED) {
        h = max_int(h, p->rs->derived[n->fid].height + 1);
    } else if (n->kind == ND_ITEM) {
        h = max_int(h, p->rs->items[n->fid].height + 1);
    }
    n->height = h + 1;
    if (n->height > RULES_MAX_HEIGHT) {
        return too_big(p, at,
                       "表达式嵌套过深：连同引用的条目和 yearly 定义超过 %d "
                       "层，请拆成几个 let",
                       RULES_MAX_HEIGHT);
    }
    return check_nodes(p, at);
}

static const char *unit_word(int u)
{
    static const char *w[UN__COUNT] = {
        "数值", "金额（元）", "金额（美元）", "人数", "项数",         "分数",
        "比例", "年数",       "天数",         "日期", "条件（是/否）"};
    return u >= 0 && u < UN__COUNT ? w[u] : "?";
}

static int is_numeric(int u)
{
    return u != UN_BOOL && u != UN_DATE;
}

static int bare_ok(int u)
{
    return u != UN_YUAN && u != UN_USD && u != UN_DATE && u != UN_BOOL;
}

static int compat(int a, int b)
{
    return a == b || (a == UN_NONE && bare_ok(b)) ||
           (b == UN_NONE && bare_ok(a)) || (a == UN_SCORE && b == UN_NONE) ||
           (a == UN_NONE && b == UN_SCORE);
}

static int find_item(Parser *p, const char *id)
{
    for (int i = 0; i < p->rs->n_items; i++) {
        if (strcmp(p->rs->items[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

static int find_derived(Parser *p, const char *id)
{
    for (int i = 0; i < p->rs->n_derived; i++) {
        if (strcmp(p->rs->derived[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

static int find_alias(Parser *p, const char *id)
{
    if (strcmp(id, "year") == 0) {
        return 0;
    }
    for (int i = 0; i < p->n_alias; i++) {
        if (strcmp(p->alias[i], id) == 0) {
            return p->alias_off[i];
        }
    }
    return 1; /* not an alias */
}

/* year index: (year | alias) [(+|-) INT] -> offset from the evaluation
 * year, in -(RULE_YEARS-1) .. 0. In a case, a plain year (2022) works. */
static int parse_yidx(Parser *p, int *off)
{
    Token at = p->cur;
    int base, rc;

    if (p->cur.kind == TK_NUM && p->case_year && p->cur.q.d == 1) {
        *off = (int)p->cur.q.n - p->case_year;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
        goto check;
    }
    if (p->cur.kind != TK_IDENT || (base = find_alias(p, p->cur.text)) > 0) {
        return perr(p, &p->cur, "年份应写成 year、year-1 或 let 定义的年份名");
    }
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    *off = base;
    if (is_punct(&p->cur, "-") || is_punct(&p->cur, "+")) {
        int neg = is_punct(&p->cur, "-");
        if ((rc = advance(p)) != 0) {
            return rc;
        }
        if (p->cur.kind != TK_NUM || p->cur.q.d != 1 || p->cur.q.n > 100) {
            return perr(p, &p->cur, "年份偏移应为整数");
        }
        *off += neg ? -(int)p->cur.q.n : (int)p->cur.q.n;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
    }
check:
    if (*off > 0 || *off < -(RULE_YEARS - 1)) {
        return perr(p, &at, "年份超出可用范围（评价年度及之前 %d 年）",
                    RULE_YEARS - 1);
    }
    return 0;
}

static int parse_expr(Parser *p, Node **out);

/* A reference to yearly data: field[yidx] or, with range, field[a..b]. */
static int parse_yearly_ref(Parser *p, Node **out, int range)
{
    Token at = p->cur;
    int fid = rule_field_find(p->cur.text), did = -1, rc;
    Node *n;

    if (p->cur.kind != TK_IDENT) {
        return perr(p, &p->cur, "此处应为按年度取值的字段");
    }
    if (fid < 0 || rule_field_get(fid)->kind != RF_YEARLY) {
        did = find_derived(p, p->cur.text);
        if (did < 0) {
            return perr(p, &p->cur, "“%s”不是按年度取值的字段", p->cur.text);
        }
    }
    n = new_node(p, did >= 0 ? ND_DERIVED : ND_FIELD, &at);
    n->fid = did >= 0 ? did : fid;
    n->name = did >= 0 ? p->rs->derived[did].id : NULL;
    n->unit = did >= 0 ? p->rs->derived[did].unit : rule_field_get(fid)->unit;
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (p->yearly_ctx && !is_punct(&p->cur, "[")) {
        *out = n;
        return seal(p, n, &at);
    }
    if ((rc = expect_punct(p, "[")) != 0 ||
        (rc = parse_yidx(p, &n->yoff)) != 0) {
        return rc;
    }
    n->yoff2 = n->yoff;
    if (range) {
        if ((rc = expect_punct(p, "..")) != 0 ||
            (rc = parse_yidx(p, &n->yoff2)) != 0) {
            return rc;
        }
        if (n->yoff2 < n->yoff) {
            return perr(p, &at, "年份区间应从早到晚");
        }
    }
    if ((rc = expect_punct(p, "]")) != 0) {
        return rc;
    }
    *out = n;
    return seal(p, n, &at);
}

static int literal_value(Parser *p, Node **out)
{
    Token at = p->cur;
    Node *n;
    int rc, neg = 0;

    if (is_punct(&p->cur, "-")) {
        neg = 1;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
    }
    if (p->cur.kind != TK_NUM && p->cur.kind != TK_DATE) {
        return perr(p, &p->cur, "此处应为数值");
    }
    n = new_node(p, ND_NUM, &at);
    n->lo = n->hi = p->cur.q;
    if (neg) {
        n->lo.n = n->hi.n = -n->lo.n;
    }
    n->unit = p->cur.unit;
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    *out = n;
    return 0;
}

/* A band value: literal or lo..hi. */
static int parse_band_value(Parser *p, Node **out)
{
    int rc = literal_value(p, out);
    Node *hi;
    if (rc != 0) {
        return rc;
    }
    if (is_punct(&p->cur, "..")) {
        Token at = p->cur;
        if ((rc = advance(p)) != 0 || (rc = literal_value(p, &hi)) != 0) {
            return rc;
        }
        if (!compat(hi->unit, (*out)->unit) || q_cmp(hi->lo, (*out)->lo) < 0) {
            return perr(p, &at, "分值区间应写成 低..高");
        }
        (*out)->hi = hi->lo;
    }
    return 0;
}

/* A value of an expert grade or a case expectation: read as a band value
 * but not part of any expression tree, so not counted in RULES_MAX_NODES. */
static int value_outside_tree(Parser *p, Node **out)
{
    int n = p->n_nodes, rc = parse_band_value(p, out);
    p->n_nodes = n;
    return rc;
}

/* lower bound of A <= upper bound of B (so they may share points) */
static int lo_le_hi(const BandArm *a, const BandArm *b)
{
    int c;
    if (!a->has_lo || !b->has_hi) {
        return 1;
    }
    c = q_cmp(a->lo, b->hi);
    return c < 0 || (c == 0 && a->lo_incl && b->hi_incl);
}

static int arms_overlap(const BandArm *a, const BandArm *b)
{
    return lo_le_hi(a, b) && lo_le_hi(b, a);
}

/* Bands must not overlap; without else they must cover every value. */
static int check_bands(Parser *p, Node *n, const Token *at)
{
    int order[RULES_MAX_ARMS];
    for (int i = 0; i < n->n_arms; i++) {
        for (int j = 0; j < i && !n->arms[i].is_else; j++) {
            if (!n->arms[j].is_else && arms_overlap(&n->arms[i], &n->arms[j])) {
                Token t = *at;
                t.line = n->arms[i].line;
                t.col = n->arms[i].col;
                return perr(p, &t, "区间与第 %d 行的区间重叠", n->arms[j].line);
            }
        }
        order[i] = i;
    }
    if (n->has_else) {
        return 0;
    }
    /* sort by lower bound (insertion sort; at most RULES_MAX_ARMS) */
    for (int i = 1; i < n->n_arms; i++) {
        for (int j = i; j > 0; j--) {
            BandArm *x = &n->arms[order[j]], *y = &n->arms[order[j - 1]];
            if (!x->has_lo || (y->has_lo && q_cmp(x->lo, y->lo) < 0)) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        }
    }
    for (int i = 0; i < n->n_arms; i++) {
        BandArm *x = &n->arms[order[i]];
        int ok;
        if (i == 0) {
            ok = !x->has_lo;
        } else {
            BandArm *y = &n->arms[order[i - 1]];
            ok = y->has_hi && x->has_lo && q_cmp(y->hi, x->lo) == 0 &&
                 (y->hi_incl != x->lo_incl);
        }
        if (ok && i == n->n_arms - 1) {
            ok = !x->has_hi;
        }
        if (!ok) {
            return perr(p, at,
                        "区间表没有覆盖全部取值（区间之间有空缺），请补充区间"
                        "或写 else");
        }
    }
    return 0;
}

/* band(subject) { [a, b) => v ... else => v } or cases { cond => v ... } */
static int parse_table(Parser *p, Node *n, int is_band)
{
    Token at = p->cur;
    int rc, vunit = -1;

    if ((rc = expect_punct(p, "{")) != 0) {
        return rc;
    }
    n->arms = alloc(p, sizeof(BandArm) * RULES_MAX_ARMS);
    while (!is_punct(&p->cur, "}")) {
        BandArm *a;
        if (p->cur.kind == TK_EOF) {
            return perr(p, &p->cur, "区间表缺少“}”");
        }
        if (n->n_arms >= RULES_MAX_ARMS) {
            err_set(p->e, ERR_TOOBIG, NULL, "%s:%d:%d: 区间过多", p->lx.path,
                    p->cur.line, p->cur.col);
            return ERR_TOOBIG;
        }
        a = &n->arms[n->n_arms];
        a->line = p->cur.line;
        a->col = p->cur.col;
        if (is_word(&p->cur, "else") || is_word(&p->cur, "其他")) {
            if (n->has_else) {
                return perr(p, &p->cur, "else 只能有一个");
            }
            n->has_else = 1;
            a->is_else = 1;
            if ((rc = advance(p)) != 0) {
                return rc;
            }
        } else if (is_band) {
            Node *b;
            if (!is_punct(&p->cur, "[") && !is_punct(&p->cur, "(")) {
                return perr(p, &p->cur,
                            "区间应写成 [下限, 上限) 之类，方括号含端点、圆括号"
                            "不含，.. 表示不设限");
            }
            a->lo_incl = is_punct(&p->cur, "[");
            if ((rc = advance(p)) != 0) {
                return rc;
            }
            if (is_punct(&p->cur, "..")) {
                if ((rc = advance(p)) != 0) {
                    return rc;
                }
            } else {
                if ((rc = literal_value(p, &b)) != 0) {
                    return rc;
                }
                if (!compat(b->unit, n->a->unit) ||
                    (n->a->unit == UN_DATE) != (b->unit == UN_DATE)) {
                    return perr(p, &p->cur, "区间端点是%s，而被分档的是%s",
                                unit_word(b->unit), unit_word(n->a->unit));
                }
                a->has_lo = 1;
                a->lo = b->lo;
            }
            if ((rc = expect_punct(p, ",")) != 0) {
                return rc;
            }
            if (is_punct(&p->cur, "..")) {
                if ((rc = advance(p)) != 0) {
                    return rc;
                }
            } else {
                if ((rc = literal_value(p, &b)) != 0) {
                    return rc;
                }
                if (!compat(b->unit, n->a->unit) ||
                    (n->a->unit == UN_DATE) != (b->unit == UN_DATE)) {
                    return perr(p, &p->cur, "区间端点是%s，而被分档的是%s",
                                unit_word(b->unit), unit_word(n->a->unit));
                }
                a->has_hi = 1;
                a->hi = b->lo;
            }
            if (!is_punct(&p->cur, "]") && !is_punct(&p->cur, ")")) {
                return perr(p, &p->cur, "区间应以“]”或“)”结束");
            }
            a->hi_incl = is_punct(&p->cur, "]");
            if ((rc = advance(p)) != 0) {
                return rc;
            }
            if (a->has_lo && a->has_hi) {
                int c = q_cmp(a->lo, a->hi);
                if (c > 0 || (c == 0 && !(a->lo_incl && a->hi_incl))) {
                    Token t = p->cur;
                    t.line = a->line;
                    t.col = a->col;
                    return perr(p, &t, "区间为空（下限不小于上限）");
                }
            }
        } else {
            if ((rc = parse_expr(p, &a->cond)) != 0) {
                return rc;
            }
            if (a->cond->unit != UN_BOOL) {
                return perr(p, &p->cur, "cases 的每一行应以条件开头");
            }
        }
        if ((rc = expect_punct(p, "=>")) != 0 ||
            (rc = parse_band_value(p, &a->value)) != 0) {
            return rc;
        }
        if (vunit >= 0 && !compat(vunit, a->value->unit)) {
            return perr(p, &p->cur, "各档的值单位不一致");
        }
        if (vunit < 0 || vunit == UN_NONE) {
            vunit = a->value->unit;
        }
        n->n_arms++;
        if (is_punct(&p->cur, ";")) {
            if ((rc = advance(p)) != 0) {
                return rc;
            }
        }
    }
    if (n->n_arms == 0) {
        return perr(p, &p->cur, "区间表不能为空");
    }
    if (!is_band && !n->has_else) {
        return perr(p, &p->cur, "cases 表必须以 else 结尾");
    }
    n->unit = vunit < 0 ? UN_NONE : vunit;
    if (is_band && (rc = check_bands(p, n, &at)) != 0) {
        return rc;
    }
    return advance(p); /* } */
}

/* SUMF_* of a summing function's name, or -1. */
static int sum_op(const char *fn)
{
    static const struct {
        const char *name;
        int op;
    } t[] = {{"sum", SUMF_ALL},
             {"sum_operating", SUMF_OPERATING},
             {"avg_operating", SUMF_AVG_OPERATING},
             {"sum_since", SUMF_SINCE},
             {"sum_full", SUMF_FULL},
             {"avg_since", SUMF_AVG_SINCE},
             {"avg_full", SUMF_AVG_FULL}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (strcmp(fn, t[i].name) == 0) {
            return t[i].op;
        }
    }
    return -1;
}

static int parse_call(Parser *p, Node **out)
{
    Token at = p->cur;
    char fn[RULES_MAX_IDENT + 1];
    Node *n = NULL, *x;
    int rc;

    snprintf(fn, sizeof fn, "%.64s", p->cur.text);
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (strcmp(fn, "cases") == 0) {
        n = new_node(p, ND_CASES, &at);
        if ((rc = parse_table(p, n, 0)) != 0) {
            return rc;
        }
        *out = n;
        return seal(p, n, &at);
    }
    if ((rc = expect_punct(p, "(")) != 0) {
        return rc;
    }
    if (sum_op(fn) >= 0 || strncmp(fn, "growth", 6) == 0) {
        int g = strncmp(fn, "growth", 6) == 0;
        if (g && strcmp(fn, "growth") != 0 && strcmp(fn, "growth_since") != 0 &&
            strcmp(fn, "growth_full") != 0) {
            return perr(p, &at, "未知函数“%s”", fn);
        }
        n = new_node(p, g ? ND_GROWTH : ND_SUM, &at);
        n->op = !g              ? sum_op(fn)
                : fn[6] == '\0' ? SUMF_ALL
                : fn[7] == 's'  ? SUMF_SINCE
                                : SUMF_FULL;
        if ((rc = parse_yearly_ref(p, &n->a, 1)) != 0) {
            return rc;
        }
        n->yoff = n->a->yoff;
        n->yoff2 = n->a->yoff2;
        n->unit = g ? UN_RATIO : n->a->unit;
        if (SUMF_IS_AVG(n->op) && n->unit == UN_YUAN) {
            n->unit = UN_YUAN;
        }
        if (g && n->yoff2 - n->yoff != 2) {
            return perr(p, &at, "growth 需要连续三个年度，如 x[y-2..y]");
        }
    } else if (strcmp(fn, "max") == 0 || strcmp(fn, "min") == 0) {
        n = new_node(p, fn[1] == 'a' ? ND_MAX : ND_MIN, &at);
        if ((rc = parse_expr(p, &n->a)) != 0 ||
            (rc = expect_punct(p, ",")) != 0 ||
            (rc = parse_expr(p, &n->b)) != 0) {
            return rc;
        }
        if (!is_numeric(n->a->unit) || !compat(n->a->unit, n->b->unit)) {
            return perr(p, &at, "%s 的两个参数应为同一单位的数值", fn);
        }
        n->unit = n->a->unit == UN_NONE ? n->b->unit : n->a->unit;
    } else if (strcmp(fn, "add_years") == 0) {
        n = new_node(p, ND_ADD_YEARS, &at);
        if ((rc = parse_expr(p, &n->a)) != 0 ||
            (rc = expect_punct(p, ",")) != 0 ||
            (rc = parse_expr(p, &n->b)) != 0) {
            return rc;
        }
        if (n->a->unit != UN_DATE ||
            (n->b->unit != UN_NONE && n->b->unit != UN_YEARS)) {
            return perr(p, &at, "add_years(日期, 年数) 的参数类型不对");
        }
        n->unit = UN_DATE;
    } else if (strcmp(fn, "end_of_year") == 0) {
        n = new_node(p, ND_END_OF_YEAR, &at);
        if ((rc = parse_yidx(p, &n->yoff)) != 0) {
            return rc;
        }
        n->unit = UN_DATE;
    } else if (strcmp(fn, "days_between") == 0) {
        n = new_node(p, ND_DAYS_BETWEEN, &at);
        if ((rc = parse_expr(p, &n->a)) != 0 ||
            (rc = expect_punct(p, ",")) != 0 ||
            (rc = parse_expr(p, &n->b)) != 0) {
            return rc;
        }
        if (n->a->unit != UN_DATE || n->b->unit != UN_DATE) {
            return perr(p, &at, "days_between 的两个参数都应为日期");
        }
        n->unit = UN_DAYS;
    } else if (strcmp(fn, "band") == 0) {
        n = new_node(p, ND_BAND, &at);
        if ((rc = parse_expr(p, &n->a)) != 0) {
            return rc;
        }
        if (n->a->unit == UN_BOOL) {
            return perr(p, &at, "band 的对象应为数值或日期");
        }
        if ((rc = expect_punct(p, ")")) != 0 ||
            (rc = parse_table(p, n, 1)) != 0) {
            return rc;
        }
        *out = n;
        return seal(p, n, &at);
    } else {
        return perr(p, &at, "未知函数“%s”", fn);
    }
    if ((rc = expect_punct(p, ")")) != 0) {
        return rc;
    }
    (void)x;
    *out = n;
    return seal(p, n, &at);
}

static int is_fn(const char *s)
{
    static const char *fns[] = {"sum",         "sum_operating", "avg_operating",
                                "sum_since",   "avg_since",     "sum_full",
                                "avg_full",    "growth",        "growth_since",
                                "growth_full", "max",           "min",
                                "add_years",   "end_of_year",   "days_between",
                                "band",        "cases",         NULL};
    for (int i = 0; fns[i]; i++) {
        if (strcmp(fns[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

static int parse_primary(Parser *p, Node **out)
{
    Token at = p->cur;
    Node *n;
    int rc, fid, k;

    if (p->cur.kind == TK_NUM || p->cur.kind == TK_DATE) {
        return literal_value(p, out);
    }
    if (is_punct(&p->cur, "(")) {
        if ((rc = advance(p)) != 0 || (rc = parse_expr(p, out)) != 0) {
            return rc;
        }
        return expect_punct(p, ")");
    }
    if (p->cur.kind != TK_IDENT) {
        return perr(p, &p->cur, "此处应为数值、字段或条件");
    }
    if (is_word(&p->cur, "yes") || is_word(&p->cur, "是") ||
        is_word(&p->cur, "no") || is_word(&p->cur, "否")) {
        n = new_node(p, ND_BOOL, &at);
        n->lo.n = is_word(&p->cur, "yes") || is_word(&p->cur, "是");
        n->unit = UN_BOOL;
        *out = n;
        return advance(p);
    }
    if (is_word(&p->cur, "asof")) {
        n = new_node(p, ND_ASOF, &at);
        n->unit = UN_DATE;
        *out = n;
        return advance(p);
    }
    if ((k = find_alias(p, p->cur.text)) <= 0) {
        n = new_node(p, ND_YEAR, &at);
        n->yoff = k;
        n->unit = UN_NONE;
        *out = n;
        return advance(p);
    }
    if (is_fn(p->cur.text) &&
        (is_punct(&p->nxt, "(") || is_punct(&p->nxt, "{"))) {
        return parse_call(p, out);
    }
    if ((k = find_item(p, p->cur.text)) >= 0) {
        n = new_node(p, ND_ITEM, &at);
        n->fid = k;
        n->name = p->rs->items[k].id;
        n->unit = p->rs->items[k].unit;
        *out = n;
        if ((rc = seal(p, n, &at)) != 0) {
            return rc;
        }
        return advance(p);
    }
    fid = rule_field_find(p->cur.text);
    if (fid >= 0 && rule_field_get(fid)->kind == RF_SCALAR) {
        n = new_node(p, ND_SCALAR, &at);
        n->fid = fid;
        n->unit = rule_field_get(fid)->unit;
        *out = n;
        return advance(p);
    }
    if (fid >= 0 || find_derived(p, p->cur.text) >= 0) {
        if (!p->yearly_ctx && !is_punct(&p->nxt, "[")) {
            return perr(p, &p->cur, "字段“%s”按年度取值，应写成 %s[y]",
                        p->cur.text, p->cur.text);
        }
        return parse_yearly_ref(p, out, 0);
    }
    return perr(p, &p->cur, "未知字段或名称“%s”", p->cur.text);
}

static int enter(Parser *p)
{
    if (++p->depth > RULES_MAX_DEPTH) {
        return too_big(p, &p->cur,
                       "表达式嵌套过深（括号、not、负号、函数和分组合计最多 %d "
                       "层，每层括号计 2 层）",
                       RULES_MAX_DEPTH);
    }
    return check_nodes(p, &p->cur);
}

/* Count one more operand of a chain of + - * / and or; fails past
 * RULES_MAX_OPERANDS. */
static int next_operand(Parser *p, int *n, const Token *at)
{
    if (++*n >= RULES_MAX_OPERANDS) {
        return too_big(p, at,
                       "一个表达式中连续的运算项过多（最多 %d 个），请拆成几个 "
                       "let",
                       RULES_MAX_OPERANDS);
    }
    return 0;
}

static int parse_unary(Parser *p, Node **out)
{
    int rc;
    if ((rc = enter(p)) != 0) {
        return rc;
    }
    if (is_punct(&p->cur, "-")) {
        Node *n = new_node(p, ND_NEG, &p->cur);
        if ((rc = advance(p)) != 0 || (rc = parse_unary(p, &n->a)) != 0) {
            return rc;
        }
        if (!is_numeric(n->a->unit)) {
            return perr(p, &p->cur, "负号只能用于数值");
        }
        n->unit = n->a->unit;
        *out = n;
        if ((rc = seal(p, n, &p->cur)) != 0) {
            return rc;
        }
    } else {
        rc = parse_primary(p, out);
    }
    p->depth--;
    return rc;
}

static int parse_mul(Parser *p, Node **out)
{
    int rc = parse_unary(p, out), nops = 1;
    while (rc == 0 && (is_punct(&p->cur, "*") || is_punct(&p->cur, "/"))) {
        Node *n =
            new_node(p, is_punct(&p->cur, "*") ? ND_MUL : ND_DIV, &p->cur);
        Token at = p->cur;
        n->a = *out;
        if ((rc = next_operand(p, &nops, &at)) != 0 || (rc = advance(p)) != 0 ||
            (rc = parse_unary(p, &n->b)) != 0) {
            return rc;
        }
        if (!is_numeric(n->a->unit) || !is_numeric(n->b->unit)) {
            return perr(
                p, &at, "乘除只能用于数值，不能用于%s",
                unit_word(is_numeric(n->a->unit) ? n->b->unit : n->a->unit));
        }
        if (n->kind == ND_MUL) {
            n->unit =
                (n->a->unit == UN_NONE || n->a->unit == UN_RATIO)   ? n->b->unit
                : (n->b->unit == UN_NONE || n->b->unit == UN_RATIO) ? n->a->unit
                                                                    : UN_NONE;
        } else {
            n->unit = n->b->unit == UN_NONE      ? n->a->unit
                      : n->a->unit == n->b->unit ? UN_RATIO
                                                 : UN_NONE;
        }
        *out = n;
        rc = seal(p, n, &at);
    }
    return rc;
}

static int parse_add(Parser *p, Node **out)
{
    int rc = parse_mul(p, out), nops = 1;
    while (rc == 0 && (is_punct(&p->cur, "+") || is_punct(&p->cur, "-"))) {
        Node *n =
            new_node(p, is_punct(&p->cur, "+") ? ND_ADD : ND_SUB, &p->cur);
        Token at = p->cur;
        n->a = *out;
        if ((rc = next_operand(p, &nops, &at)) != 0 || (rc = advance(p)) != 0 ||
            (rc = parse_mul(p, &n->b)) != 0) {
            return rc;
        }
        if (!is_numeric(n->a->unit) || !is_numeric(n->b->unit) ||
            !compat(n->a->unit, n->b->unit)) {
            return perr(p, &at, "类型不匹配：%s 与 %s 不能相加减",
                        unit_word(n->a->unit), unit_word(n->b->unit));
        }
        n->unit = n->a->unit == UN_NONE ? n->b->unit : n->a->unit;
        *out = n;
        rc = seal(p, n, &at);
    }
    return rc;
}

static int cmp_op(const Token *t)
{
    static const char *ops[] = {"<", "<=", ">", ">=", "=", "!="};
    if (t->kind != TK_PUNCT) {
        return 0;
    }
    for (int i = 0; i < 6; i++) {
        if (strcmp(t->text, ops[i]) == 0) {
            return i + 1;
        }
    }
    return strcmp(t->text, "==") == 0 ? CMP_EQ : 0;
}

static int parse_cmp(Parser *p, Node **out)
{
    int rc = parse_add(p, out), op;
    if (rc == 0 && (op = cmp_op(&p->cur)) != 0) {
        Node *n = new_node(p, ND_CMP, &p->cur);
        Token at = p->cur;
        n->op = op;
        n->a = *out;
        if ((rc = advance(p)) != 0 || (rc = parse_add(p, &n->b)) != 0) {
            return rc;
        }
        int ua = n->a->unit, ub = n->b->unit;
        int ok =
            (is_numeric(ua) && is_numeric(ub) && compat(ua, ub)) ||
            (ua == UN_DATE && ub == UN_DATE) ||
            (ua == UN_BOOL && ub == UN_BOOL && (op == CMP_EQ || op == CMP_NE));
        if (!ok) {
            if ((ua == UN_YUAN || ub == UN_YUAN) &&
                (ua == UN_NONE || ub == UN_NONE)) {
                return perr(p, &at,
                            "类型不匹配：金额只能与带单位（万、亿、元）的金额"
                            "比较");
            }
            return perr(p, &at, "类型不匹配：%s 不能与 %s 比较", unit_word(ua),
                        unit_word(ub));
        }
        n->unit = UN_BOOL;
        *out = n;
        rc = seal(p, n, &at);
    }
    return rc;
}

static int parse_not(Parser *p, Node **out)
{
    int rc;
    if (is_word(&p->cur, "not") || is_word(&p->cur, "非")) {
        Node *n = new_node(p, ND_NOT, &p->cur);
        if ((rc = enter(p)) != 0 || (rc = advance(p)) != 0 ||
            (rc = parse_not(p, &n->a)) != 0) {
            return rc;
        }
        p->depth--;
        if (n->a->unit != UN_BOOL) {
            return perr(p, &p->cur, "not 只能用于条件");
        }
        n->unit = UN_BOOL;
        *out = n;
        return seal(p, n, &p->cur);
    }
    return parse_cmp(p, out);
}

static int parse_logic(Parser *p, Node **out, int is_or)
{
    int rc = is_or ? parse_logic(p, out, 0) : parse_not(p, out), nops = 1;
    const char *w1 = is_or ? "or" : "and", *w2 = is_or ? "或" : "且";
    while (rc == 0 && (is_word(&p->cur, w1) || is_word(&p->cur, w2))) {
        Node *n = new_node(p, is_or ? ND_OR : ND_AND, &p->cur);
        Token at = p->cur;
        n->a = *out;
        if ((rc = next_operand(p, &nops, &at)) != 0 || (rc = advance(p)) != 0 ||
            (rc = is_or ? parse_logic(p, &n->b, 0) : parse_not(p, &n->b)) !=
                0) {
            return rc;
        }
        if (n->a->unit != UN_BOOL || n->b->unit != UN_BOOL) {
            return perr(p, &at, "类型不匹配：%s 的两边都应是条件（是/否）", w1);
        }
        n->unit = UN_BOOL;
        *out = n;
        rc = seal(p, n, &at);
    }
    return rc;
}

static int parse_expr(Parser *p, Node **out)
{
    int rc;
    if ((rc = enter(p)) != 0) {
        return rc;
    }
    rc = parse_logic(p, out, 1);
    p->depth--;
    return rc;
}

/* ---- statements ------------------------------------------------------ */

static int expect_ident(Parser *p, char **out, const char *what)
{
    if (p->cur.kind != TK_IDENT) {
        return perr(p, &p->cur, "此处应为%s", what);
    }
    *out = dup_tok(p, &p->cur);
    return advance(p);
}

static int expect_string(Parser *p, char **out, const char *what)
{
    if (p->cur.kind != TK_STRING) {
        return perr(p, &p->cur, "此处应为%s（用双引号括起）", what);
    }
    *out = dup_tok(p, &p->cur);
    return advance(p);
}

static int new_item(Parser *p, int kind, const Token *at, char *id, int parent,
                    Item **out)
{
    Item *it;
    if (p->rs->n_items >= RULES_MAX_ITEMS) {
        err_set(p->e, ERR_TOOBIG, NULL, "%s:%d:%d: 条目过多（最多 %d）",
                p->lx.path, at->line, at->col, RULES_MAX_ITEMS);
        return ERR_TOOBIG;
    }
    if (find_item(p, id) >= 0 || rule_field_find(id) >= 0 ||
        find_derived(p, id) >= 0 || find_alias(p, id) <= 0 || is_fn(id)) {
        return perr(p, at, "名称“%s”已被使用", id);
    }
    it = &p->rs->items[p->rs->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->id = id;
    it->label = (char *)"";
    it->parent = parent;
    it->depth = parent < 0 ? 0 : p->rs->items[parent].depth + 1;
    it->line = at->line;
    it->col = at->col;
    *out = it;
    return 0;
}

/* Check that literal values of a score expression stay within its max. */
static int check_max(Parser *p, const Node *n, Q max)
{
    if (!n) {
        return 0;
    }
    if (n->kind == ND_BAND || n->kind == ND_CASES) {
        for (int i = 0; i < n->n_arms; i++) {
            if (q_cmp(n->arms[i].value->hi, max) > 0) {
                Token t = p->cur;
                t.line = n->arms[i].line;
                t.col = n->arms[i].col;
                return perr(p, &t, "分值超过该项上限");
            }
        }
    }
    if (check_max(p, n->a, max) != 0) {
        return ERR_INVALID;
    }
    return n->kind == ND_MAX || n->kind == ND_MIN ? check_max(p, n->b, max) : 0;
}

static int parse_statement(Parser *p, int parent);

static int parse_group_items(Parser *p, int parent)
{
    int rc;
    if ((rc = enter(p)) != 0 || (rc = expect_punct(p, "{")) != 0) {
        return rc;
    }
    while (!is_punct(&p->cur, "}")) {
        static const char *kws[] = {"check",  "all",    "any", "score",
                                    "expert", "manual", "let", NULL};
        int kw = 0;
        if (p->cur.kind == TK_EOF) {
            return perr(p, &p->cur, "分组缺少“}”");
        }
        for (int i = 0; kws[i]; i++) {
            kw |= is_word(&p->cur, kws[i]) && p->nxt.kind == TK_IDENT;
        }
        if (kw) {
            if ((rc = parse_statement(p, parent)) != 0) {
                return rc;
            }
        } else {
            Token at = p->cur;
            Item *it;
            char *id;
            char buf[32];
            if (p->cur.kind == TK_IDENT && is_punct(&p->nxt, ":")) {
                id = dup_tok(p, &p->cur);
                if ((rc = advance(p)) != 0 || (rc = advance(p)) != 0) {
                    return rc;
                }
            } else {
                snprintf(buf, sizeof buf, "%s.%d", p->rs->items[parent].id,
                         p->rs->n_items - parent);
                id = arena_strdup(&p->rs->arena, buf);
            }
            if ((rc = new_item(p, IT_CHECK, &at, id, parent, &it)) != 0) {
                return rc;
            }
            it->auto_id = strchr(id, '.') != NULL;
            if ((rc = parse_expr(p, &it->expr)) != 0) {
                return rc;
            }
            if (it->expr->unit != UN_BOOL) {
                return perr(p, &at, "分组中的每一项应是条件（比较或是/否）");
            }
            it->unit = UN_BOOL;
            it->height = it->expr->height;
            if ((rc = expect_string(p, &it->label, "中文说明")) != 0) {
                return rc;
            }
        }
        if (is_punct(&p->cur, ";")) {
            if ((rc = advance(p)) != 0) {
                return rc;
            }
        }
    }
    p->depth--;
    /* a group is evaluated through its members */
    for (int j = parent + 1; j < p->rs->n_items; j++) {
        Item *g = &p->rs->items[parent];
        if (p->rs->items[j].parent == parent) {
            g->height = max_int(g->height, p->rs->items[j].height + 1);
        }
    }
    if (p->rs->items[parent].height > RULES_MAX_HEIGHT) {
        return too_big(p, &p->cur, "分组“%s”嵌套过深：连同其中的条件超过 %d 层",
                       p->rs->items[parent].id, RULES_MAX_HEIGHT);
    }
    return advance(p);
}

static int parse_grades(Parser *p, Item *it)
{
    int rc;
    if ((rc = expect_punct(p, "{")) != 0) {
        return rc;
    }
    it->grades = alloc(p, sizeof(Grade) * RULES_MAX_ARMS);
    while (!is_punct(&p->cur, "}")) {
        Grade *g;
        Node *v;
        if (it->n_grades >= RULES_MAX_ARMS) {
            err_set(p->e, ERR_TOOBIG, NULL, "%s:%d:%d: 档次过多", p->lx.path,
                    p->cur.line, p->cur.col);
            return ERR_TOOBIG;
        }
        g = &it->grades[it->n_grades];
        if ((rc = expect_ident(p, &g->code, "档次代号（如 A）")) != 0 ||
            (rc = expect_string(p, &g->label, "档次说明")) != 0 ||
            (rc = value_outside_tree(p, &v)) != 0) {
            return rc;
        }
        g->lo = v->lo;
        g->hi = v->hi;
        if (it->has_max && q_cmp(g->hi, it->max) > 0) {
            return perr(p, &p->cur, "分值超过该项上限");
        }
        it->n_grades++;
        if (is_punct(&p->cur, ";")) {
            if ((rc = advance(p)) != 0) {
                return rc;
            }
        }
    }
    if (it->n_grades == 0) {
        return perr(p, &p->cur, "专家评分项至少要有一个档次");
    }
    return advance(p);
}

static int parse_max(Parser *p, Item *it)
{
    int rc;
    if (!is_word(&p->cur, "max")) {
        return perr(p, &p->cur, "此处应为 max 上限");
    }
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (p->cur.kind != TK_NUM ||
        (p->cur.unit != UN_NONE && p->cur.unit != UN_SCORE)) {
        return perr(p, &p->cur, "上限应为分数");
    }
    it->has_max = 1;
    it->max = p->cur.q;
    return advance(p);
}

/* let / yearly / check / all / any / score / expert / manual */
static int parse_statement(Parser *p, int parent)
{
    Token at = p->cur;
    char kw[16];
    Item *it;
    char *id;
    int rc;

    snprintf(kw, sizeof kw, "%.15s", p->cur.text);
    if ((rc = advance(p)) != 0 || (rc = expect_ident(p, &id, "名称")) != 0) {
        return rc;
    }
    if (strcmp(kw, "let") == 0) {
        char *label = NULL;
        Node *x;
        if (p->cur.kind == TK_STRING &&
            (rc = expect_string(p, &label, "说明")) != 0) {
            return rc;
        }
        if ((rc = expect_punct(p, "=")) != 0 || (rc = parse_expr(p, &x)) != 0) {
            return rc;
        }
        if (x->kind == ND_YEAR || (x->kind == ND_SUB && x->a->kind == ND_YEAR &&
                                   x->b->kind == ND_NUM && x->b->lo.d == 1)) {
            int off =
                x->kind == ND_YEAR ? x->yoff : x->a->yoff - (int)x->b->lo.n;
            if (p->n_alias >= MAX_ALIASES || find_alias(p, id) <= 0) {
                return perr(p, &at, "年份名过多或重复");
            }
            if (off > 0 || off < -(RULE_YEARS - 1)) {
                return perr(p, &at, "年份超出可用范围");
            }
            snprintf(p->alias[p->n_alias], RULES_MAX_IDENT + 1, "%s", id);
            p->alias_off[p->n_alias++] = off;
            return 0;
        }
        if ((rc = new_item(p, IT_LET, &at, id, parent, &it)) != 0) {
            return rc;
        }
        it->label = label ? label : (char *)"";
        it->expr = x;
        it->unit = x->unit;
        it->height = x->height;
        return 0;
    }
    if (strcmp(kw, "yearly") == 0) {
        Derived *d;
        if (p->rs->n_derived >= RULES_MAX_DERIVED) {
            return perr(p, &at, "yearly 定义过多");
        }
        if (find_item(p, id) >= 0 || rule_field_find(id) >= 0 ||
            find_derived(p, id) >= 0) {
            return perr(p, &at, "名称“%s”已被使用", id);
        }
        d = &p->rs->derived[p->rs->n_derived];
        d->id = id;
        if ((rc = expect_string(p, &d->label, "中文说明")) != 0 ||
            (rc = expect_punct(p, "=")) != 0) {
            return rc;
        }
        p->yearly_ctx = 1;
        rc = parse_expr(p, &d->expr);
        p->yearly_ctx = 0;
        if (rc != 0) {
            return rc;
        }
        if (!is_numeric(d->expr->unit)) {
            return perr(p, &at, "yearly 定义应为数值");
        }
        d->unit = d->expr->unit;
        d->height = d->expr->height;
        p->rs->n_derived++;
        return 0;
    }
    if (strcmp(kw, "check") == 0 || strcmp(kw, "all") == 0 ||
        strcmp(kw, "any") == 0 || strcmp(kw, "score") == 0 ||
        strcmp(kw, "expert") == 0 || strcmp(kw, "manual") == 0) {
        int kind = kw[0] == 'c'   ? IT_CHECK
                   : kw[1] == 'l' ? IT_ALL
                   : kw[1] == 'n' ? IT_ANY
                   : kw[0] == 's' ? IT_SCORE
                   : kw[0] == 'e' ? IT_EXPERT
                                  : IT_MANUAL;
        int idx = p->rs->n_items;
        if ((rc = new_item(p, kind, &at, id, parent, &it)) != 0 ||
            (rc = expect_string(p, &it->label, "中文说明")) != 0) {
            return rc;
        }
        switch (kind) {
        case IT_CHECK:
            it->unit = UN_BOOL;
            if ((rc = expect_punct(p, "=")) != 0 ||
                (rc = parse_expr(p, &it->expr)) != 0) {
                return rc;
            }
            if (it->expr->unit != UN_BOOL) {
                return perr(p, &at, "check 的内容应是条件（比较或是/否）");
            }
            it->height = it->expr->height;
            return 0;
        case IT_ALL:
        case IT_ANY:
            it->unit = UN_BOOL;
            return parse_group_items(p, idx);
        case IT_SCORE:
            it->unit = UN_SCORE;
            if ((rc = parse_max(p, it)) != 0 ||
                (rc = expect_punct(p, "=")) != 0 ||
                (rc = parse_expr(p, &it->expr)) != 0) {
                return rc;
            }
            if (!is_numeric(it->expr->unit) || !bare_ok(it->expr->unit)) {
                return perr(p, &at, "score 的内容应为分数");
            }
            it->height = it->expr->height;
            return check_max(p, it->expr, it->max);
        case IT_EXPERT:
            it->unit = UN_SCORE;
            if ((rc = parse_max(p, it)) != 0) {
                return rc;
            }
            return parse_grades(p, it);
        default:
            it->unit = UN_BOOL;
            return 0;
        }
    }
    return perr(p, &at, "未知语句“%s”", kw);
}

/* ---- header and cases -------------------------------------------------- */

/* The verdict words are the names rule_verdict_name gives (explain.c:
 * the one table, also served by GET /reference/rules). */
int parser_verdict_code(const char *w)
{
    for (int i = RULE_V_MET; i <= RULE_V_CONFLICT; i++) {
        if (strcmp(rule_verdict_name(i), w) == 0) {
            return i;
        }
    }
    return 0;
}

static int parse_header_list(Parser *p, char ***list, int *n)
{
    char *s;
    int rc;
    if (!*list) {
        *list = alloc(p, sizeof(char *) * RULES_MAX_HEADER_LIST);
    }
    if (*n >= RULES_MAX_HEADER_LIST) {
        return perr(p, &p->cur, "此项最多 %d 条", RULES_MAX_HEADER_LIST);
    }
    if ((rc = expect_string(p, &s, "文字")) != 0) {
        return rc;
    }
    (*list)[(*n)++] = s;
    return 0;
}

/* A value in a case: number with unit, date or yes/no, checked against
 * the field's unit. */
static int parse_case_value(Parser *p, int unit, int64_t *v)
{
    Token at = p->cur;
    int neg = 0, rc;
    if (unit == UN_BOOL) {
        if (is_word(&p->cur, "yes") || is_word(&p->cur, "是")) {
            *v = 1;
        } else if (is_word(&p->cur, "no") || is_word(&p->cur, "否")) {
            *v = 0;
        } else {
            return perr(p, &p->cur, "此处应为 是 或 否");
        }
        return advance(p);
    }
    if (is_punct(&p->cur, "-")) {
        neg = 1;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
    }
    if (unit == UN_DATE ? p->cur.kind != TK_DATE
                        : (p->cur.kind != TK_NUM ||
                           !compat(unit, p->cur.unit) || p->cur.q.d != 1)) {
        return perr(p, &at, "此处应为%s（整数%s）", unit_word(unit),
                    unit == UN_YUAN ? "，写 万 或 元" : "");
    }
    if (p->cur.q.n > INT64_MAX / 2) {
        return perr(p, &at, "数值过大");
    }
    *v = (int64_t)p->cur.q.n * (neg ? -1 : 1);
    return advance(p);
}

static int parse_case(Parser *p)
{
    Token at = p->cur;
    Case *c;
    int rc;

    if (p->rs->n_cases >= RULES_MAX_CASES) {
        return perr(p, &at, "用例过多");
    }
    if (!p->rs->cases) {
        p->rs->cases = alloc(p, sizeof(Case) * RULES_MAX_CASES);
    }
    c = &p->rs->cases[p->rs->n_cases];
    memset(c, 0, sizeof *c);
    c->line = at.line;
    c->sets = alloc(p, sizeof(CaseSet) * RULES_MAX_SETS);
    c->expects = alloc(p, sizeof(CaseExpect) * RULES_MAX_SETS);
    if ((rc = advance(p)) != 0 ||
        (rc = expect_string(p, &c->name, "用例名称")) != 0) {
        return rc;
    }
    p->case_year = 0;
    if (is_word(&p->cur, "like")) {
        /* start from the inputs of an earlier case */
        const Case *base = NULL;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
        for (int k = 0; p->cur.kind == TK_STRING && k < p->rs->n_cases; k++) {
            if (strcmp(p->rs->cases[k].name, p->cur.text) == 0) {
                base = &p->rs->cases[k];
            }
        }
        if (!base) {
            return perr(p, &p->cur, "like 后应为前面已有用例的名称");
        }
        memcpy(c->sets, base->sets, sizeof(CaseSet) * (size_t)base->n_sets);
        c->n_sets = base->n_sets;
        c->year = p->case_year = base->year;
        c->has_asof = base->has_asof;
        c->asof = base->asof;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
    }
    if ((rc = expect_punct(p, "{")) != 0) {
        return rc;
    }
    while (!is_punct(&p->cur, "}")) {
        Token ft = p->cur;
        CaseSet *s;
        int fid;
        if (p->cur.kind != TK_IDENT) {
            return perr(p, &p->cur, "用例中应为“字段 = 值”");
        }
        if (c->n_sets >= RULES_MAX_SETS) {
            return perr(p, &p->cur, "用例的输入过多");
        }
        s = &c->sets[c->n_sets];
        s->line = ft.line;
        s->col = ft.col;
        if (is_word(&p->cur, "year")) {
            if ((rc = advance(p)) != 0 || (rc = expect_punct(p, "=")) != 0) {
                return rc;
            }
            if (p->cur.kind != TK_NUM || p->cur.q.d != 1 || p->cur.q.n < 1900 ||
                p->cur.q.n > 2999) {
                return perr(p, &p->cur, "year 应为 1900-2999 的年份");
            }
            c->year = p->case_year = (int)p->cur.q.n;
            if ((rc = advance(p)) != 0) {
                return rc;
            }
            continue;
        }
        if (!c->year) {
            return perr(p, &p->cur, "用例应先写 year = 评价年度");
        }
        if (is_word(&p->cur, "asof")) {
            int64_t v;
            if ((rc = advance(p)) != 0 || (rc = expect_punct(p, "=")) != 0 ||
                (rc = parse_case_value(p, UN_DATE, &v)) != 0) {
                return rc;
            }
            c->has_asof = 1;
            c->asof = (int32_t)v;
            continue;
        }
        if (is_word(&p->cur, "expert")) {
            int k;
            if ((rc = advance(p)) != 0 || (rc = expect_punct(p, ".")) != 0) {
                return rc;
            }
            k = find_item(p, p->cur.text);
            if (p->cur.kind != TK_IDENT || k < 0 ||
                p->rs->items[k].kind != IT_EXPERT) {
                return perr(p, &p->cur, "“%s”不是专家评分项", p->cur.text);
            }
            s->fid = -1;
            s->expert = dup_tok(p, &p->cur);
            if ((rc = advance(p)) != 0 || (rc = expect_punct(p, "=")) != 0) {
                return rc;
            }
            if (p->cur.kind == TK_IDENT) {
                int found = 0;
                for (int g = 0; g < p->rs->items[k].n_grades; g++) {
                    found |= strcmp(p->rs->items[k].grades[g].code,
                                    p->cur.text) == 0;
                }
                if (!found) {
                    return perr(p, &p->cur, "没有档次“%s”", p->cur.text);
                }
                s->grade = dup_tok(p, &p->cur);
                if ((rc = advance(p)) != 0) {
                    return rc;
                }
            } else if ((rc = parse_case_value(p, UN_SCORE, &s->v)) != 0) {
                return rc;
            }
            c->n_sets++;
            continue;
        }
        fid = rule_field_find(p->cur.text);
        if (fid < 0) {
            return perr(p, &p->cur, "未知字段“%s”", p->cur.text);
        }
        s->fid = fid;
        if ((rc = advance(p)) != 0) {
            return rc;
        }
        if (rule_field_get(fid)->kind == RF_YEARLY) {
            int off;
            if ((rc = expect_punct(p, "[")) != 0 ||
                (rc = parse_yidx(p, &off)) != 0 ||
                (rc = expect_punct(p, "]")) != 0) {
                return rc;
            }
            s->year = c->year + off;
        }
        if ((rc = expect_punct(p, "=")) != 0 ||
            (rc = parse_case_value(p, rule_field_get(fid)->unit, &s->v)) != 0) {
            return rc;
        }
        c->n_sets++;
        if (is_punct(&p->cur, ";") && (rc = advance(p)) != 0) {
            return rc;
        }
    }
    p->case_year = 0;
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (!c->year) {
        return perr(p, &at, "用例应写 year = 评价年度");
    }
    if (!is_word(&p->cur, "expect")) {
        return perr(p, &p->cur, "用例后应为 expect 预期结论");
    }
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (p->cur.kind != TK_IDENT ||
        (c->verdict = parser_verdict_code(p->cur.text)) == 0) {
        return perr(p, &p->cur,
                    "预期结论应为 达标、未达标、缺数据、待专家评审、待人工确认"
                    "或数据矛盾");
    }
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    while (p->cur.kind == TK_IDENT && is_punct(&p->nxt, "=")) {
        CaseExpect *x = &c->expects[c->n_expects];
        Node *v;
        if (c->n_expects >= RULES_MAX_SETS) {
            return perr(p, &p->cur, "预期项过多");
        }
        x->line = p->cur.line;
        x->col = p->cur.col;
        if (is_word(&p->cur, "total")) {
            if (!p->rs->total) {
                return perr(p, &p->cur, "规则集没有定义 total");
            }
            x->item = -1;
        } else if ((x->item = find_item(p, p->cur.text)) < 0) {
            return perr(p, &p->cur, "未知条目“%s”", p->cur.text);
        }
        if ((rc = advance(p)) != 0 || (rc = advance(p)) != 0) {
            return rc;
        }
        if (p->cur.kind == TK_IDENT) {
            x->is_outcome = 1;
            if ((x->outcome = parser_verdict_code(p->cur.text)) == 0) {
                return perr(p, &p->cur, "未知结论“%s”", p->cur.text);
            }
            if ((rc = advance(p)) != 0) {
                return rc;
            }
        } else {
            if ((rc = value_outside_tree(p, &v)) != 0) {
                return rc;
            }
            x->lo = v->lo;
            x->hi = v->hi;
        }
        c->n_expects++;
    }
    p->rs->n_cases++;
    return 0;
}

static int parse_header(Parser *p)
{
    RuleSetHeader *h = &p->rs->h;
    Token at = p->cur;
    char kw[16];
    int rc;

    snprintf(kw, sizeof kw, "%.15s", p->cur.text);
    if (strcmp(kw, "ruleset") == 0) {
        Token w;
        if (h->id) {
            return perr(p, &at, "一个文件只能有一个 ruleset");
        }
        /* the id is a bare word such as sme-2017: nxt holds its start */
        if (p->nxt.kind != TK_IDENT && p->nxt.kind != TK_NUM) {
            return perr(p, &p->nxt, "ruleset 后应为规则集编号");
        }
        /* rebuild the word: nxt holds its first part; read the rest raw */
        w = p->nxt;
        {
            Token rest;
            size_t save = p->lx.pos;
            int c = save < p->lx.len ? p->lx.src[save] : ' ';
            rest.len = 0;
            rest.text[0] = '\0';
            if (c == '-' || c == '.' || (c >= '0' && c <= '9') ||
                (c >= 'a' && c <= 'z')) {
                if ((rc = lexer_word(&p->lx, &rest, p->e)) != 0) {
                    return rc;
                }
            }
            if (w.len + rest.len > RULES_MAX_IDENT) {
                return perr(p, &w, "编号过长");
            }
            memcpy(w.text + w.len, rest.text, rest.len + 1);
            w.len += rest.len;
        }
        h->id = dup_tok(p, &w);
        if ((rc = lexer_next(&p->lx, &p->nxt, p->e)) != 0 ||
            (rc = advance(p)) != 0) {
            return rc;
        }
        if (p->cur.kind == TK_STRING) {
            return expect_string(p, &h->name, "名称");
        }
        return 0;
    }
    if (!h->id) {
        return perr(p, &at, "文件应以 ruleset 编号 开头");
    }
    if ((rc = advance(p)) != 0) {
        return rc;
    }
    if (strcmp(kw, "name") == 0) {
        return expect_string(p, &h->name, "名称");
    }
    if (strcmp(kw, "doc") == 0) {
        return expect_string(p, &h->doc, "文号");
    }
    if (strcmp(kw, "issuer") == 0) {
        return expect_string(p, &h->issuer, "发文机关");
    }
    if (strcmp(kw, "region") == 0) {
        return expect_string(p, &h->region, "适用地区");
    }
    if (strcmp(kw, "tier") == 0) {
        return expect_ident(p, &h->tier, "层级代号");
    }
    if (strcmp(kw, "source") == 0) {
        return parse_header_list(p, &h->sources, &h->n_sources);
    }
    if (strcmp(kw, "assume") == 0) {
        return parse_header_list(p, &h->assumes, &h->n_assumes);
    }
    if (strcmp(kw, "status") == 0) {
        if (!is_word(&p->cur, "confirmed") && !is_word(&p->cur, "unverified")) {
            return perr(p, &p->cur, "status 应为 confirmed 或 unverified");
        }
        return expect_ident(p, &h->status, "状态");
    }
    if (strcmp(kw, "effective") == 0) {
        if (p->cur.kind != TK_DATE) {
            return perr(p, &p->cur, "effective 应写成 起始日期 .. [截止日期]");
        }
        h->eff_from = (int32_t)p->cur.q.n;
        if ((rc = advance(p)) != 0 || (rc = expect_punct(p, "..")) != 0) {
            return rc;
        }
        if (p->cur.kind == TK_DATE) {
            h->eff_to = (int32_t)p->cur.q.n;
            if (h->eff_to < h->eff_from) {
                return perr(p, &p->cur, "截止日期早于起始日期");
            }
            return advance(p);
        }
        return 0;
    }
    return perr(p, &at, "未知语句“%s”", kw);
}

static int is_header_kw(const Token *t)
{
    static const char *kws[] = {"ruleset", "name",      "doc",    "issuer",
                                "region",  "tier",      "source", "assume",
                                "status",  "effective", NULL};
    for (int i = 0; kws[i]; i++) {
        if (is_word(t, kws[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_stmt_kw(const Token *t)
{
    static const char *kws[] = {"let",   "yearly", "check",  "all", "any",
                                "score", "expert", "manual", NULL};
    for (int i = 0; kws[i]; i++) {
        if (is_word(t, kws[i])) {
            return 1;
        }
    }
    return 0;
}

int parser_run(RuleSet *rs, const char *path, const char *src, size_t len,
               Err *e)
{
    Parser *p = xcalloc(1, sizeof *p);
    int rc;

    p->rs = rs;
    p->e = e;
    rs->h.eff_from = DATE_MIN;
    rs->h.eff_to = DATE_MAX;
    lexer_init(&p->lx, path, src, len);
    if ((rc = lexer_next(&p->lx, &p->nxt, e)) != 0 || (rc = advance(p)) != 0) {
        goto out;
    }
    while (p->cur.kind != TK_EOF) {
        if (p->cur.kind != TK_IDENT) {
            rc = perr(p, &p->cur,
                      "此处应为语句（ruleset、check、all、score、"
                      "pass、case 等）");
            goto out;
        }
        if (is_header_kw(&p->cur)) {
            rc = parse_header(p);
        } else if (!rs->h.id) {
            rc = perr(p, &p->cur, "文件应以 ruleset 编号 开头");
        } else if (is_stmt_kw(&p->cur)) {
            rc = parse_statement(p, -1);
        } else if (is_word(&p->cur, "pass") || is_word(&p->cur, "total")) {
            int is_pass = is_word(&p->cur, "pass");
            Token at = p->cur;
            Node **dst = is_pass ? &rs->pass : &rs->total;
            if (*dst) {
                rc = perr(p, &at, "%s 只能定义一次", at.text);
                goto out;
            }
            if ((rc = advance(p)) != 0 || (rc = expect_punct(p, "=")) != 0 ||
                (rc = parse_expr(p, dst)) != 0) {
                goto out;
            }
            if (is_pass && (*dst)->unit != UN_BOOL) {
                rc = perr(p, &at, "pass 应是条件");
            } else if (!is_pass &&
                       (!is_numeric((*dst)->unit) || !bare_ok((*dst)->unit))) {
                rc = perr(p, &at, "total 应是分数");
            }
        } else if (is_word(&p->cur, "case")) {
            rc = parse_case(p);
        } else {
            rc = perr(p, &p->cur, "未知语句“%s”", p->cur.text);
        }
        if (rc == 0) {
            rc = check_nodes(p, &p->cur);
        }
        if (rc != 0) {
            goto out;
        }
    }
    if (!rs->h.id) {
        rc = perr(p, &p->cur, "文件应以 ruleset 编号 开头");
    } else if (!rs->h.status) {
        rc = perr(p, &p->cur, "缺少 status confirmed 或 status unverified");
    } else if (!rs->pass) {
        rc = perr(p, &p->cur, "缺少 pass = 达标条件");
    }
out:
    free(p);
    return rc;
}
