/* explain.c - values, expressions, gaps and whole results as zh-CN text
 * and JSON (see eval.h, rules.h). Nothing here allocates except through
 * the Buf it is given. */
#include <stdio.h>
#include <string.h>

#include "base/money.h"
#include "rules/eval.h"
#include "rules/explain.h"
#include "rules/q.h"

const char *rule_verdict_name(int v)
{
    static const char *names[] = {"",         "达标",       "未达标",
                                  "缺数据",   "待专家评审", "待人工确认",
                                  "数据矛盾", "—"};
    return v >= 1 && v <= RULE_V_INFO ? names[v] : "?";
}

static void put_i128(Buf *b, __int128 v)
{
    char tmp[48];
    int n = 0;
    int neg = v < 0;
    unsigned __int128 u =
        neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 45);
    if (neg) {
        buf_append_char(b, '-');
    }
    while (n > 0) {
        buf_append_char(b, tmp[--n]);
    }
}

/* q rounded half away from zero to `places` decimals, trailing zeros cut;
 * dir < 0 rounds down, dir > 0 up instead. */
static void put_dec_dir(Buf *b, Q q, int places, int dir)
{
    __int128 scale = 1, x, ip, fp;
    Q s, frac;
    int neg = q.n < 0;
    for (int i = 0; i < places; i++) {
        scale *= 10;
    }
    if (neg) {
        q.n = -q.n;
        dir = -dir; /* on the magnitude */
    }
    if (q_mul(q, (Q){scale, 1}, &s)) {
        buf_append_str(b, "（数值过大）");
        return;
    }
    x = q_floor(s);
    /* the fraction s - x compared with 1/2 (2x + 1 could overflow) */
    if (dir > 0) {
        x = q_ceil(s);
    } else if (dir == 0 && q_sub(s, (Q){x, 1}, &frac) == 0 &&
               q_cmp(frac, (Q){1, 2}) >= 0) {
        x++;
    }
    ip = x / scale;
    fp = x % scale;
    if (neg && x != 0) {
        buf_append_char(b, '-');
    }
    put_i128(b, ip);
    if (fp != 0) {
        char digits[24];
        int n = places;
        digits[n] = '\0';
        for (int i = n - 1; i >= 0; i--) {
            digits[i] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        while (n > 0 && digits[n - 1] == '0') {
            digits[--n] = '\0';
        }
        buf_appendf(b, ".%s", digits);
    }
}

/* q in its unit; `more` decimals beyond the usual, rounded towards dir. */
static void put_one_dir(Buf *b, Q q, int unit, int more, int dir)
{
    switch (unit) {
    case UN_YUAN:
    case UN_USD:
        if (q.d == 1 && q.n >= INT64_MIN && q.n <= INT64_MAX) {
            money_format_wan((int64_t)q.n, b);
        } else {
            Q w;
            if (q_div(q, (Q){10000, 1}, &w) == 0) {
                put_dec_dir(b, w, 4 + more, dir);
            }
        }
        break;
    case UN_RATIO: {
        Q p;
        if (q_mul(q, (Q){100, 1}, &p) == 0) {
            put_dec_dir(b, p, 2 + more, dir);
        }
        break;
    }
    case UN_DATE: {
        char iso[DATE_ISO_SIZE];
        date_format_iso((Date)q.n, iso);
        buf_append_str(b, iso);
        break;
    }
    default:
        put_dec_dir(b, q, 2 + more, dir);
        break;
    }
}

/* q in its unit, the usual decimals, rounded half up. */
static void put_one(Buf *b, Q q, int unit)
{
    put_one_dir(b, q, unit, 0, 0);
}

static const char *unit_suffix(int unit)
{
    switch (unit) {
    case UN_YUAN:
        return " 万元";
    case UN_USD:
        return " 万美元";
    case UN_RATIO:
        return "%";
    case UN_PERSON:
        return " 人";
    case UN_ITEM:
        return " 项";
    case UN_SCORE:
        return " 分";
    case UN_YEARS:
        return " 年";
    case UN_DAYS:
        return " 天";
    default:
        return "";
    }
}

void explain_value(Buf *b, const Val *v, int unit)
{
    if (v->tv == TV_U) {
        buf_append_str(b, "—");
        return;
    }
    if (unit == UN_BOOL) {
        buf_append_str(b, v->tv == TV_OK ? (v->lo.n ? "是" : "否") : "待定");
        return;
    }
    put_one(b, v->lo, unit);
    if (q_cmp(v->lo, v->hi) != 0) {
        buf_append_str(b, "–");
        put_one(b, v->hi, unit);
    }
    buf_append_str(b, unit_suffix(unit));
}

void explain_bounded(Buf *b, const Val *v, int unit)
{
    Val k = *v;
    Q n;
    k.tv = TV_OK;
    explain_value(b, &k, unit);
    if (unit == UN_ITEM && !q_sub(v->hi, v->lo, &n) && n.d == 1 && n.n > 0) {
        /* a count bounded by rights whose flags are blank
         * (rule_input_count_ip) */
        buf_append_str(b, "（其中 ");
        put_one(b, n, UN_NONE);
        buf_append_str(b, " 项未填“用于主要产品”或“授权日期”，"
                          "不确定能否计入）");
        return;
    }
    buf_append_str(b, "（数据不全，可能的范围）");
}

void explain_value_vs(Buf *b, const Val *v, int unit, const Val *ref)
{
    Buf x, y;
    int more = 0;
    if (!ref || v->tv != TV_OK || ref->tv != TV_OK || unit == UN_BOOL ||
        unit == UN_DATE || q_cmp(v->lo, v->hi) != 0 ||
        q_cmp(ref->lo, ref->hi) != 0 || q_cmp(v->lo, ref->lo) == 0) {
        explain_value(b, v, unit);
        return;
    }
    /* a value that differs from the requirement never prints as it: more
     * decimals until the two differ, and at the last one rounded away */
    buf_init(&x, 256);
    buf_init(&y, 256);
    for (more = 0; more < 8; more++) {
        buf_reset(&x);
        buf_reset(&y);
        put_one_dir(&x, v->lo, unit, more, 0);
        put_one_dir(&y, ref->lo, unit, more, 0);
        if (x.data && y.data && strcmp(x.data, y.data) != 0) {
            break;
        }
    }
    if (more == 8) {
        buf_reset(&x);
        put_one_dir(&x, v->lo, unit, more, q_cmp(v->lo, ref->lo) < 0 ? -1 : 1);
    }
    buf_append_str(b, x.data ? x.data : "");
    buf_append_str(b, unit_suffix(unit));
    buf_release(&x);
    buf_release(&y);
}

/* A literal as the rule file would write it. */
static void put_literal(Buf *b, Q q, int unit)
{
    switch (unit) {
    case UN_YUAN:
    case UN_USD:
        put_one(b, q, unit);
        buf_append_str(b, unit == UN_YUAN ? "万" : "万美元");
        break;
    case UN_RATIO:
        put_one(b, q, unit);
        buf_append_str(b, "%");
        break;
    default:
        put_one(b, q, unit);
        break;
    }
}

static void put_year(Buf *b, int off)
{
    buf_append_str(b, "year");
    if (off) {
        buf_appendf(b, "%d", off);
    }
}

static void put_ref(Buf *b, const Node *n)
{
    const char *name =
        rule_field_get(n->fid) ? rule_field_get(n->fid)->name : "?";
    if (n->kind == ND_DERIVED) {
        name = n->name;
    }
    buf_appendf(b, "%s[", name);
    put_year(b, n->yoff);
    if (n->yoff2 != n->yoff) {
        buf_append_str(b, "..");
        put_year(b, n->yoff2);
    }
    buf_append_str(b, "]");
}

static void put_bound(Buf *b, int has, Q q, int unit)
{
    if (has) {
        put_literal(b, q, unit);
    } else {
        buf_append_str(b, "..");
    }
}

void explain_node(Buf *b, const Node *n)
{
    static const char *ops[] = {"", "<", "<=", ">", ">=", "=", "!="};
    if (!n) {
        return;
    }
    switch (n->kind) {
    case ND_NUM:
        put_literal(b, n->lo, n->unit);
        if (q_cmp(n->lo, n->hi) != 0) {
            buf_append_str(b, "..");
            put_literal(b, n->hi, n->unit);
        }
        break;
    case ND_BOOL:
        buf_append_str(b, n->lo.n ? "是" : "否");
        break;
    case ND_FIELD:
    case ND_DERIVED:
        put_ref(b, n);
        break;
    case ND_SCALAR:
        buf_append_str(b, rule_field_get(n->fid)->name);
        break;
    case ND_ITEM:
        buf_append_str(b, n->name);
        break;
    case ND_YEAR:
        put_year(b, n->yoff);
        break;
    case ND_ASOF:
        buf_append_str(b, "asof");
        break;
    case ND_NEG:
        buf_append_str(b, "-");
        explain_node(b, n->a);
        break;
    case ND_NOT:
        buf_append_str(b, "not ");
        explain_node(b, n->a);
        break;
    case ND_ADD:
    case ND_SUB:
    case ND_MUL:
    case ND_DIV:
    case ND_CMP:
    case ND_AND:
    case ND_OR: {
        const char *op = n->kind == ND_ADD   ? "+"
                         : n->kind == ND_SUB ? "-"
                         : n->kind == ND_MUL ? "*"
                         : n->kind == ND_DIV ? "/"
                         : n->kind == ND_AND ? "and"
                         : n->kind == ND_OR  ? "or"
                                             : ops[n->op];
        buf_append_str(b, "(");
        explain_node(b, n->a);
        buf_appendf(b, " %s ", op);
        explain_node(b, n->b);
        buf_append_str(b, ")");
        break;
    }
    case ND_SUM:
    case ND_GROWTH:
        buf_append_str(b, n->kind == ND_GROWTH
                              ? (n->op == SUMF_SINCE  ? "growth_since("
                                 : n->op == SUMF_FULL ? "growth_full("
                                                      : "growth(")
                          : n->op == SUMF_ALL       ? "sum("
                          : n->op == SUMF_OPERATING ? "sum_operating("
                          : n->op == SUMF_SINCE     ? "sum_since("
                          : n->op == SUMF_FULL      ? "sum_full("
                          : n->op == SUMF_AVG_SINCE ? "avg_since("
                          : n->op == SUMF_AVG_FULL  ? "avg_full("
                                                    : "avg_operating(");
        explain_node(b, n->a);
        buf_append_str(b, ")");
        break;
    case ND_MAX:
    case ND_MIN:
    case ND_ADD_YEARS:
    case ND_DAYS_BETWEEN:
        buf_append_str(b, n->kind == ND_MAX         ? "max("
                          : n->kind == ND_MIN       ? "min("
                          : n->kind == ND_ADD_YEARS ? "add_years("
                                                    : "days_between(");
        explain_node(b, n->a);
        buf_append_str(b, ", ");
        explain_node(b, n->b);
        buf_append_str(b, ")");
        break;
    case ND_END_OF_YEAR:
        buf_append_str(b, "end_of_year(");
        put_year(b, n->yoff);
        buf_append_str(b, ")");
        break;
    case ND_BAND:
    case ND_CASES:
        if (n->kind == ND_BAND) {
            buf_append_str(b, "band(");
            explain_node(b, n->a);
            buf_append_str(b, ") {");
        } else {
            buf_append_str(b, "cases {");
        }
        for (int i = 0; i < n->n_arms; i++) {
            const BandArm *a = &n->arms[i];
            buf_append_str(b, " ");
            if (a->is_else) {
                buf_append_str(b, "else");
            } else if (n->kind == ND_CASES) {
                explain_node(b, a->cond);
            } else {
                buf_append_str(b, a->lo_incl ? "[" : "(");
                put_bound(b, a->has_lo, a->lo, n->a->unit);
                buf_append_str(b, ", ");
                put_bound(b, a->has_hi, a->hi, n->a->unit);
                buf_append_str(b, a->hi_incl ? "]" : ")");
            }
            buf_append_str(b, " => ");
            explain_node(b, a->value);
            buf_append_str(b, ";");
        }
        buf_append_str(b, " }");
        break;
    default:
        buf_append_str(b, "?");
        break;
    }
}

static int bit(const MissSet *m, int i)
{
    return (int)((m->w[i / 64] >> (i % 64)) & 1);
}

void explain_missing(Buf *b, const MissSet *m, const MissSet *zero, int year)
{
    explain_missing_est(b, m, zero, year, 0);
}

void explain_missing_est(Buf *b, const MissSet *m, const MissSet *zero,
                         int year, int est_year)
{
    int first = 1;
    for (int pass = 0; pass < 2; pass++) {
        const MissSet *s = pass == 0 ? m : zero;
        for (int i = 0; i < MISS_WORDS * 64; i++) {
            if (!bit(s, i)) {
                continue;
            }
            if (!first) {
                buf_append_str(b, "、");
            }
            first = 0;
            if (i < MISS_SCALAR_BASE) {
                int fid = i / RULE_YEARS, slot = i % RULE_YEARS;
                int y = year - (RULE_YEARS - 1) + slot;
                buf_appendf(b, "%s[%d]", rule_field_get(fid)->label, y);
                if (est_year && y < est_year) {
                    /* not a gap in the data: the enterprise did not exist */
                    buf_appendf(b, "（早于成立年度%d年）", est_year);
                    continue;
                }
            } else {
                const RuleField *f = rule_field_get(i - MISS_SCALAR_BASE);
                buf_append_str(b, f ? f->label : "?");
            }
            if (pass == 1) {
                buf_append_str(b, "为零（不能作除数）");
            }
        }
    }
}

void explain_gap(Buf *b, const char *label, int unit, __int128 delta, int year)
{
    int up = delta > 0;
    __int128 mag = up ? delta : -delta;
    char yr[16] = "";
    if (delta == 0) {
        return;
    }
    if (year) {
        snprintf(yr, sizeof yr, "（%d年）", year);
    }
    if (unit == UN_SCORE) {
        buf_append_str(b, up ? "还差 " : "超出 ");
        put_i128(b, mag);
        buf_append_str(b, " 分");
        return;
    }
    if (unit == UN_ITEM && up) {
        buf_append_str(b, "再有 ");
        put_i128(b, mag);
        buf_appendf(b, " 项%s%s", label, yr);
        return;
    }
    buf_appendf(b, "%s%s%s ", label, yr, up ? "再增加" : "需减少");
    if (unit == UN_YUAN || unit == UN_USD) {
        if (mag <= INT64_MAX) {
            money_format_wan((int64_t)mag, b);
        }
    } else {
        put_i128(b, mag);
    }
    buf_append_str(b, unit_suffix(unit));
}

/* ---- whole results --------------------------------------------------- */

int rule_result_format_text(const RuleResult *r, Buf *out)
{
    const RuleSet *rs = r->rs;
    char iso[DATE_ISO_SIZE];

    date_format_iso(r->asof, iso);
    buf_appendf(out, "规则集：%s %s（%s；状态：%s）\n", rs->h.id,
                rs->h.name ? rs->h.name : "", rs->h.doc ? rs->h.doc : "",
                rs->h.status);
    buf_appendf(out, "评价年度：%d　截至：%s\n", r->year, iso);
    buf_appendf(out, "结论：%s\n", rule_verdict_name(r->verdict));
    if (r->path && r->path[0]) {
        buf_appendf(out, "达标途径：%s\n", r->path);
    }
    if (r->moot && r->moot[0]) {
        buf_appendf(out, "未填写但不影响结论：%s\n", r->moot);
    }
    if (r->has_total) {
        if (r->total_lo == r->total_hi) {
            buf_appendf(out, "综合得分：%lld 分\n", (long long)r->total_lo);
        } else {
            buf_appendf(out, "综合得分：%lld–%lld 分（含专家评分区间）\n",
                        (long long)r->total_lo, (long long)r->total_hi);
        }
    }
    for (int i = 0; i < rs->h.n_assumes; i++) {
        buf_appendf(out, "口径说明：%s\n", rs->h.assumes[i]);
    }
    for (int i = 0; i < r->n_rows; i++) {
        const RuleRow *w = &r->rows[i].row;
        if (w->idle) {
            continue;
        }
        for (int d = 0; d <= w->depth; d++) {
            buf_append_str(out, "  ");
        }
        buf_appendf(out, "[%s] %s", rule_verdict_name(w->outcome), w->label);
        if (w->actual[0]) {
            buf_appendf(out, "；实际 %s", w->actual);
        }
        if (w->required[0]) {
            buf_appendf(out, "；要求 %s", w->required);
        }
        if (w->gap[0]) {
            buf_appendf(out, "；差距：%s", w->gap);
        }
        if (w->missing[0]) {
            buf_appendf(out, "；%s：%s",
                        w->outcome == RULE_V_CONFLICT ? "涉及" : "缺少",
                        w->missing);
        }
        if (w->moot && w->moot[0]) {
            buf_appendf(out, "；未填写但不影响结论：%s", w->moot);
        }
        buf_append_str(out, "\n");
    }
    {
        Buf rd;
        buf_init(&rd, (size_t)64 * 1024);
        rule_result_reads(r, &rd);
        if (rd.len) {
            buf_appendf(out, "读取的数据：%s\n", rd.data);
        }
        buf_release(&rd);
    }
    buf_appendf(out, "规则集哈希：%s\n输入哈希：%s\n", rs->hash_hex,
                r->input_hash);
    return out->err;
}
