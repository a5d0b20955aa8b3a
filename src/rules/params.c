/* params.c - the changeable numbers of a rule set (see params.h). The
 * compiled tree gives where each literal starts (its node's line and
 * column); the lexer, run again from there, gives where it ends. */
#include "rules/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/ast.h"
#include "rules/lexer.h"

#define PARAMS_PATH "草稿"

enum { SPAN_LITERAL = 1, SPAN_VALUE, SPAN_LO, SPAN_HI, SPAN_MAX };

typedef struct Walk {
    const char *src;
    size_t len;
    RuleParam *ps;
    int n;
    int cap;
    int toobig;
} Walk;

const char *rule_param_kind_name(int kind)
{
    switch (kind) {
    case RULE_PARAM_THRESHOLD:
        return "条件中的数值";
    case RULE_PARAM_BAND_LO:
        return "区间下限";
    case RULE_PARAM_BAND_HI:
        return "区间上限";
    case RULE_PARAM_VALUE:
        return "分档取值";
    case RULE_PARAM_MAX:
        return "满分上限";
    default:
        return "";
    }
}

const char *rule_param_unit_name(int unit)
{
    static const char *const w[UN__COUNT] = {
        "", "元", "美元", "人", "项", "分", "%", "年", "天", "日期", ""};
    return unit >= 0 && unit < UN__COUNT ? w[unit] : "";
}

/* Byte offset of (line, col) in src (col counts characters from 1), or
 * (size_t)-1 when the text is shorter. */
static size_t params_offset_at(const char *src, size_t len, int line, int col)
{
    size_t i = 0;
    int l = 1;
    int c = 1;

    while (i < len && l < line) {
        if (src[i++] == '\n') {
            l++;
        }
    }
    if (l != line) {
        return (size_t)-1;
    }
    while (i < len && c < col && src[i] != '\n') {
        i++;
        while (i < len && ((unsigned char)src[i] & 0xC0) == 0x80) {
            i++;
        }
        c++;
    }
    return c == col ? i : (size_t)-1;
}

static int is_p(const Token *t, const char *s)
{
    return t->kind == TK_PUNCT && strcmp(t->text, s) == 0;
}

/* Reads an optional '-' and a number (or date) from lx; *start gets the
 * byte offset (in lx's text) where it begins. 0 on success. */
static int params_read_number(Lexer *lx, Token *t, size_t *start)
{
    Err e;
    size_t at;

    err_clear(&e);
    if (lexer_next(lx, t, &e) != 0) {
        return -1;
    }
    at = params_offset_at(lx->src, lx->len, t->line, t->col);
    if (is_p(t, "-") && lexer_next(lx, t, &e) != 0) {
        return -1;
    }
    if (t->kind != TK_NUM && t->kind != TK_DATE) {
        return -1;
    }
    *start = at;
    return 0;
}

/* The byte span of the literal an anchor at (line, col) names. */
static int params_span(const Walk *w, int mode, int line, int col, size_t *off,
                       size_t *n)
{
    size_t base = params_offset_at(w->src, w->len, line, col);
    Lexer lx;
    Token t;
    size_t start = 0;
    Err e;

    if (base == (size_t)-1) {
        return -1;
    }
    err_clear(&e);
    lexer_init(&lx, PARAMS_PATH, w->src + base, w->len - base);
    if (mode == SPAN_MAX) {
        /* `score id "label" max N = ...`: the number after the word max */
        for (int i = 0; i < 64; i++) {
            if (lexer_next(&lx, &t, &e) != 0 || t.kind == TK_EOF ||
                is_p(&t, "=") || is_p(&t, "{")) {
                return -1;
            }
            if (t.kind == TK_IDENT && strcmp(t.text, "max") == 0) {
                break;
            }
        }
        if (params_read_number(&lx, &t, &start) != 0) {
            return -1;
        }
    } else if (mode == SPAN_LO || mode == SPAN_HI) {
        /* `[lo, hi)` */
        if (lexer_next(&lx, &t, &e) != 0 ||
            (!is_p(&t, "[") && !is_p(&t, "("))) {
            return -1;
        }
        if (mode == SPAN_HI) {
            do {
                if (lexer_next(&lx, &t, &e) != 0 || t.kind == TK_EOF) {
                    return -1;
                }
            } while (!is_p(&t, ","));
        }
        if (params_read_number(&lx, &t, &start) != 0) {
            return -1;
        }
    } else {
        if (params_read_number(&lx, &t, &start) != 0) {
            return -1;
        }
        if (mode == SPAN_VALUE) {
            Lexer save = lx;
            size_t s2;
            if (lexer_next(&lx, &t, &e) == 0 && is_p(&t, "..") &&
                params_read_number(&lx, &t, &s2) == 0) {
                /* lo..hi: the span takes both */
            } else {
                lx = save;
            }
        }
    }
    *off = base + start;
    *n = lx.pos - start;
    return 0;
}

static void params_add(Walk *w, int kind, int mode, int line, int col,
                       const char *item_id, const char *label, int row,
                       int unit)
{
    size_t off;
    size_t n;

    if (params_span(w, mode, line, col, &off, &n) != 0) {
        return; /* not a literal of the text (a node the parser made) */
    }
    for (int i = 0; i < w->n; i++) {
        if (w->ps[i].off == off) {
            return; /* reached twice */
        }
    }
    if (w->n >= w->cap) {
        w->toobig = 1;
        return;
    }
    w->ps[w->n].kind = kind;
    w->ps[w->n].item_id = item_id;
    w->ps[w->n].label = label && *label ? label : item_id;
    w->ps[w->n].row = row;
    w->ps[w->n].line = line;
    w->ps[w->n].col = col;
    w->ps[w->n].off = off;
    w->ps[w->n].len = n;
    w->ps[w->n].unit = unit;
    w->n++;
}

/* The walk's depth is bounded by the parser (RULES_MAX_HEIGHT). */
static void params_walk(Walk *w, const Node *nd, const char *id,
                        const char *label)
{
    if (!nd) {
        return;
    }
    switch (nd->kind) {
    case ND_NUM:
        params_add(w, RULE_PARAM_THRESHOLD, SPAN_LITERAL, nd->line, nd->col, id,
                   label, 0, nd->unit);
        return;
    case ND_BAND:
    case ND_CASES:
        params_walk(w, nd->a, id, label);
        for (int i = 0; i < nd->n_arms; i++) {
            const BandArm *a = &nd->arms[i];
            if (nd->kind == ND_BAND && !a->is_else) {
                int u = nd->a ? nd->a->unit : UN_NONE;
                if (a->has_lo) {
                    params_add(w, RULE_PARAM_BAND_LO, SPAN_LO, a->line, a->col,
                               id, label, i + 1, u);
                }
                if (a->has_hi) {
                    params_add(w, RULE_PARAM_BAND_HI, SPAN_HI, a->line, a->col,
                               id, label, i + 1, u);
                }
            }
            params_walk(w, a->cond, id, label);
            if (a->value) {
                params_add(w, RULE_PARAM_VALUE, SPAN_VALUE, a->value->line,
                           a->value->col, id, label, i + 1, a->value->unit);
            }
        }
        return;
    default:
        params_walk(w, nd->a, id, label);
        params_walk(w, nd->b, id, label);
        return;
    }
}

static int params_cmp(const void *x, const void *y)
{
    const RuleParam *a = x;
    const RuleParam *b = y;
    return a->off < b->off ? -1 : a->off > b->off;
}

int rule_params_list(const RuleSet *rs, const char *src, size_t len,
                     RuleParam **out, int *n, Err *e)
{
    Walk w;

    memset(&w, 0, sizeof w);
    w.src = src;
    w.len = len;
    w.cap = RULE_PARAMS_MAX;
    w.ps = calloc((size_t)w.cap, sizeof *w.ps);
    if (!w.ps) {
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    }
    for (int i = 0; i < rs->n_items; i++) {
        const Item *it = &rs->items[i];
        int labelled = it->label && *it->label;
        if (it->kind == IT_EXPERT || it->kind == IT_MANUAL ||
            (it->kind == IT_LET && !labelled)) {
            continue;
        }
        if (it->kind == IT_SCORE && it->has_max) {
            params_add(&w, RULE_PARAM_MAX, SPAN_MAX, it->line, it->col, it->id,
                       it->label, 0, UN_SCORE);
        }
        params_walk(&w, it->expr, it->id, it->label);
    }
    for (int i = 0; i < rs->n_derived; i++) {
        const Derived *d = &rs->derived[i];
        if (d->label && *d->label) {
            params_walk(&w, d->expr, d->id, d->label);
        }
    }
    if (w.toobig) {
        free(w.ps);
        return err_set(e, ERR_TOOBIG, "source",
                       "规则中可调整的数值超过 %d 个，请直接编辑规则文本",
                       RULE_PARAMS_MAX);
    }
    qsort(w.ps, (size_t)w.n, sizeof *w.ps, params_cmp);
    *out = w.ps;
    *n = w.n;
    return 0;
}

int rule_param_text_check(int kind, const char *text, const char *field, Err *e)
{
    Lexer lx;
    Token t;
    size_t start;
    size_t len = text ? strlen(text) : 0;
    Err le;

    err_clear(&le);
    if (len == 0 || len > RULE_PARAM_TEXT_MAX) {
        goto bad;
    }
    lexer_init(&lx, PARAMS_PATH, text, len);
    if (params_read_number(&lx, &t, &start) != 0) {
        goto bad;
    }
    if (lexer_next(&lx, &t, &le) != 0) {
        goto bad;
    }
    if (kind == RULE_PARAM_VALUE && is_p(&t, "..")) {
        if (params_read_number(&lx, &t, &start) != 0 ||
            lexer_next(&lx, &t, &le) != 0) {
            goto bad;
        }
    }
    if (t.kind == TK_EOF) {
        return 0;
    }
bad:
    return err_set(e, ERR_INVALID, field,
                   "“%.*s”不是一个数值：请写成 10万、5%%、3 这样的数%s",
                   (int)(len > RULE_PARAM_TEXT_MAX ? RULE_PARAM_TEXT_MAX : len),
                   text ? text : "",
                   kind == RULE_PARAM_VALUE ? "，或 3..5 这样的区间" : "");
}

static int edit_cmp(const void *x, const void *y, const RuleParam *ps)
{
    const RuleParamEdit *a = x;
    const RuleParamEdit *b = y;
    size_t oa = ps[a->index].off;
    size_t ob = ps[b->index].off;
    return oa < ob ? -1 : oa > ob;
}

int rule_params_apply(const char *src, size_t len, const RuleParam *ps, int n,
                      const RuleParamEdit *edits, int n_edits, Buf *out, Err *e)
{
    RuleParamEdit *sorted = NULL;
    size_t at = 0;
    char field[32];
    int rc = 0;

    if (n_edits < 0 || n_edits > n) {
        return err_set(e, ERR_INVALID, "values", "修改的数值过多");
    }
    sorted = calloc((size_t)(n_edits > 0 ? n_edits : 1), sizeof *sorted);
    if (!sorted) {
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    }
    for (int i = 0; i < n_edits; i++) {
        snprintf(field, sizeof field, "values[%d]", i);
        if (edits[i].index < 0 || edits[i].index >= n) {
            rc = err_set(e, ERR_INVALID, field, "第 %d 个修改指向不存在的数值",
                         i + 1);
            goto out;
        }
        rc = rule_param_text_check(ps[edits[i].index].kind, edits[i].text,
                                   field, e);
        if (rc) {
            char why[ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", e->msg);
            err_set(e, ERR_INVALID, field, "%s（第 %d 行%s）：%s",
                    ps[edits[i].index].label, ps[edits[i].index].line,
                    rule_param_kind_name(ps[edits[i].index].kind), why);
            goto out;
        }
        sorted[i] = edits[i];
    }
    /* insertion sort by offset (edits are few); duplicates refused */
    for (int i = 1; i < n_edits; i++) {
        RuleParamEdit x = sorted[i];
        int j = i - 1;
        while (j >= 0 && edit_cmp(&sorted[j], &x, ps) > 0) {
            sorted[j + 1] = sorted[j];
            j--;
        }
        sorted[j + 1] = x;
    }
    for (int i = 1; i < n_edits; i++) {
        if (sorted[i].index == sorted[i - 1].index) {
            rc = err_set(e, ERR_INVALID, "values", "同一个数值被修改了两次");
            goto out;
        }
    }
    for (int i = 0; i < n_edits; i++) {
        const RuleParam *p = &ps[sorted[i].index];
        if (p->off < at || p->off + p->len > len) {
            rc = err_set(e, ERR_INVALID, "values", "数值的位置与规则文本不符");
            goto out;
        }
        buf_append(out, src + at, p->off - at);
        buf_append_str(out, sorted[i].text);
        at = p->off + p->len;
    }
    buf_append(out, src + at, len - at);
    if (out->err) {
        rc = err_set(e, ERR_TOOBIG, "source", "修改后的规则文本过长");
    }
out:
    free(sorted);
    return rc;
}
