/* rules.c - rule sets, inputs, embedded cases and diffs (see rules.h). */
#include "rules/rules.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "rules/eval.h"
#include "rules/explain.h"
#include "rules/lexer.h"
#include "rules/parser.h"
#include "rules/q.h"

static void hex32(const uint8_t h[32], char out[65])
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[(size_t)2 * i] = d[h[i] >> 4];
        out[(size_t)2 * i + 1] = d[h[i] & 15];
    }
    out[64] = '\0';
}

int rule_set_parse(const char *path, const char *src, size_t len, RuleSet **out,
                   Err *e)
{
    RuleSet *rs;
    int rc;

    *out = NULL;
    if (len > RULES_MAX_FILE) {
        err_set(e, ERR_TOOBIG, NULL, "%s:1:1: 规则文件过大（上限 %zu 字节）",
                path, RULES_MAX_FILE);
        return ERR_TOOBIG;
    }
    rs = xcalloc(1, sizeof *rs);
    arena_init(&rs->arena, (size_t)64 * 1024 * 1024);
    rs->path = arena_strdup(&rs->arena, path);
    if (sodium_init() < 0) {
        abort();
    }
    crypto_hash_sha256(rs->hash, (const unsigned char *)src, len);
    hex32(rs->hash, rs->hash_hex);
    rc = parser_run(rs, path, src, len, e);
    if (rc == 0 && rs->arena.err) {
        rc = err_set(e, ERR_TOOBIG, NULL, "%s:1:1: 规则文件过大", path);
    }
    if (rc != 0) {
        rule_set_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

void rule_set_free(RuleSet *rs)
{
    if (!rs) {
        return;
    }
    arena_release(&rs->arena);
    free(rs);
}

#define OR_EMPTY(s) ((s) ? (s) : "")
const char *rule_set_id(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.id);
}
const char *rule_set_name(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.name);
}
const char *rule_set_tier(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.tier);
}
const char *rule_set_doc(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.doc);
}
const char *rule_set_status(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.status);
}
const char *rule_set_path(const RuleSet *rs)
{
    return OR_EMPTY(rs->path);
}
const char *rule_set_hash(const RuleSet *rs)
{
    return rs->hash_hex;
}
void rule_set_effective(const RuleSet *rs, Date *from, Date *to)
{
    *from = rs->h.eff_from;
    *to = rs->h.eff_to;
}
int rule_set_n_cases(const RuleSet *rs)
{
    return rs->n_cases;
}
const char *rule_set_case_name(const RuleSet *rs, int i)
{
    return i >= 0 && i < rs->n_cases ? rs->cases[i].name : "";
}
const char *rule_set_issuer(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.issuer);
}
const char *rule_set_region(const RuleSet *rs)
{
    return OR_EMPTY(rs->h.region);
}
int rule_set_n_sources(const RuleSet *rs)
{
    return rs->h.n_sources;
}
const char *rule_set_source(const RuleSet *rs, int i)
{
    return i >= 0 && i < rs->h.n_sources ? OR_EMPTY(rs->h.sources[i]) : "";
}

int rule_set_n_assumes(const RuleSet *rs)
{
    return rs->h.n_assumes;
}

const char *rule_set_assume(const RuleSet *rs, int i)
{
    return i >= 0 && i < rs->h.n_assumes ? OR_EMPTY(rs->h.assumes[i]) : "";
}

/* ---- inputs ---------------------------------------------------------- */

RuleInput *rule_input_new(int year, Date asof)
{
    RuleInput *in = xcalloc(1, sizeof *in);
    in->year = year;
    in->asof = asof;
    return in;
}

void rule_input_free(RuleInput *in)
{
    free(in);
}

RuleInput *rule_input_clone(const RuleInput *in)
{
    RuleInput *c = xmalloc(sizeof *c);
    memcpy(c, in, sizeof *c);
    return c;
}

int rule_input_year(const RuleInput *in)
{
    return in->year;
}

static int year_slot(const RuleInput *in, int field, int year, Err *e)
{
    const RuleField *f = rule_field_get(field);
    int s = year - (in->year - (RULE_YEARS - 1));
    if (!f || f->kind != RF_YEARLY) {
        return -err_set(e, ERR_INVALID, "field", "不是按年度取值的字段");
    }
    if (s < 0 || s >= RULE_YEARS) {
        return -err_set(e, ERR_INVALID, f->name,
                        "%s 的年份 %d 超出评价年度 %d 及之前 %d 年的范围",
                        f->label, year, in->year, RULE_YEARS - 1);
    }
    return s;
}

int rule_input_set_year(RuleInput *in, int field, int year, int64_t v, Err *e)
{
    int s = year_slot(in, field, year, e);
    if (s < 0) {
        return -s;
    }
    in->yv[field][s] = v;
    in->yhas[field][s] = 1;
    return 0;
}

void rule_input_unset_year(RuleInput *in, int field, int year)
{
    int s = year_slot(in, field, year, NULL);
    if (s >= 0) {
        in->yhas[field][s] = 0;
        in->yv[field][s] = 0;
    }
}

int rule_input_set(RuleInput *in, int field, int64_t v, Err *e)
{
    const RuleField *f = rule_field_get(field);
    if (!f || f->kind != RF_SCALAR) {
        err_set(e, ERR_INVALID, "field", "不是单值字段");
        return ERR_INVALID;
    }
    in->sv[field] = v;
    in->shas[field] = 1;
    in->shi[field] = 0;
    return 0;
}

int rule_input_set_bounds(RuleInput *in, int field, int64_t lo, int64_t hi,
                          Err *e)
{
    const RuleField *f = rule_field_get(field);
    if (!f || f->kind != RF_SCALAR || !f->bounded || lo > hi) {
        err_set(e, ERR_INVALID, "field", "该字段不能给出取值范围");
        return ERR_INVALID;
    }
    if (lo == hi) {
        return rule_input_set(in, field, lo, e);
    }
    in->sv[field] = lo;
    in->shi[field] = hi;
    in->shas[field] = 0;
    return 0;
}

void rule_input_unset(RuleInput *in, int field)
{
    const RuleField *f = rule_field_get(field);
    if (f && f->kind == RF_SCALAR) {
        in->shas[field] = 0;
        in->sv[field] = 0;
        in->shi[field] = 0;
    }
}

int rule_input_set_expert(RuleInput *in, const char *item, const char *grade,
                          int64_t score, Err *e)
{
    ExpertIn *x = NULL;
    if (strlen(item) > RULES_MAX_IDENT ||
        (grade && strlen(grade) > RULES_MAX_IDENT)) {
        err_set(e, ERR_INVALID, "expert", "专家评分项名称过长");
        return ERR_INVALID;
    }
    for (int i = 0; i < in->n_ex; i++) {
        if (strcmp(in->ex[i].item, item) == 0) {
            x = &in->ex[i];
        }
    }
    if (!x) {
        if (in->n_ex >= RULE_INPUT_MAX_EXPERT) {
            err_set(e, ERR_TOOBIG, "expert", "专家评分项过多");
            return ERR_TOOBIG;
        }
        x = &in->ex[in->n_ex++];
    }
    snprintf(x->item, sizeof x->item, "%s", item);
    snprintf(x->grade, sizeof x->grade, "%s", grade ? grade : "");
    x->score = score;
    return 0;
}

static int tok_is(const Token *t, const char *s)
{
    return (t->kind == TK_PUNCT || t->kind == TK_IDENT) &&
           strcmp(t->text, s) == 0;
}

/* Convert a value token to a field value of the given unit. */
static int value_of(const Token *t, int unit, int64_t *v, int neg, Err *e)
{
    if (unit == UN_BOOL) {
        if (tok_is(t, "是") || tok_is(t, "yes") ||
            (t->kind == TK_NUM && t->q.n == 1 && t->q.d == 1)) {
            *v = 1;
        } else if (tok_is(t, "否") || tok_is(t, "no") ||
                   (t->kind == TK_NUM && t->q.n == 0)) {
            *v = 0;
        } else {
            err_set(e, ERR_INVALID, "value", "应为 是 或 否");
            return ERR_INVALID;
        }
        return 0;
    }
    if (unit == UN_DATE) {
        if (t->kind != TK_DATE) {
            err_set(e, ERR_INVALID, "value", "应为日期，如 2015-06-01");
            return ERR_INVALID;
        }
        *v = (int64_t)t->q.n;
        return 0;
    }
    if (t->kind != TK_NUM || t->q.d != 1 || t->q.n > INT64_MAX / 2) {
        err_set(e, ERR_INVALID, "value", "应为整数");
        return ERR_INVALID;
    }
    if ((unit == UN_YUAN || unit == UN_USD) &&
        !(t->unit == UN_YUAN || t->unit == UN_USD)) {
        err_set(e, ERR_INVALID, "value", "金额应带单位：如 42.3万 或 423000元");
        return ERR_INVALID;
    }
    if (unit != UN_YUAN && unit != UN_USD &&
        (t->unit == UN_YUAN || t->unit == UN_USD || t->unit == UN_RATIO)) {
        err_set(e, ERR_INVALID, "value", "该字段不是金额或比例");
        return ERR_INVALID;
    }
    *v = (int64_t)t->q.n * (neg ? -1 : 1);
    return 0;
}

int rule_input_assign(RuleInput *in, const char *text, Err *e)
{
    Lexer lx;
    Token *t = xmalloc(sizeof *t);
    int rc, fid, year = 0, neg = 0;
    int64_t v = 0;
    char name[RULES_MAX_IDENT + 1];

    lexer_init(&lx, "<input>", text, strlen(text));
    if ((rc = lexer_next(&lx, t, e)) != 0) {
        goto out;
    }
    if (t->kind != TK_IDENT) {
        rc =
            err_set(e, ERR_INVALID, "input", "应写成 字段=值 或 字段[年份]=值");
        goto out;
    }
    snprintf(name, sizeof name, "%.64s", t->text);
    if (strcmp(name, "expert") == 0) {
        char item[RULES_MAX_IDENT + 1];
        if ((rc = lexer_next(&lx, t, e)) != 0) {
            goto out;
        }
        if (!tok_is(t, ".")) {
            rc = err_set(e, ERR_INVALID, "input", "应写成 expert.项目=档次");
            goto out;
        }
        if ((rc = lexer_next(&lx, t, e)) != 0) {
            goto out;
        }
        if (t->kind != TK_IDENT) {
            rc = err_set(e, ERR_INVALID, "input", "应写成 expert.项目=档次");
            goto out;
        }
        snprintf(item, sizeof item, "%.64s", t->text);
        if ((rc = lexer_next(&lx, t, e)) != 0) {
            goto out;
        }
        if (!tok_is(t, "=") || (rc = lexer_next(&lx, t, e)) != 0) {
            rc = rc ? rc : err_set(e, ERR_INVALID, "input", "缺少“=”");
            goto out;
        }
        if (t->kind == TK_IDENT) {
            rc = rule_input_set_expert(in, item, t->text, 0, e);
        } else if (t->kind == TK_NUM && t->q.d == 1) {
            rc = rule_input_set_expert(in, item, NULL, (int64_t)t->q.n, e);
        } else {
            rc = err_set(e, ERR_INVALID, "input", "专家评分应为档次或分数");
        }
        goto out;
    }
    if ((fid = rule_field_find(name)) < 0) {
        rc = err_set(e, ERR_INVALID, "input", "未知字段“%s”", name);
        goto out;
    }
    if ((rc = lexer_next(&lx, t, e)) != 0) {
        goto out;
    }
    if (rule_field_get(fid)->kind == RF_YEARLY) {
        if (!tok_is(t, "[") || (rc = lexer_next(&lx, t, e)) != 0 ||
            t->kind != TK_NUM || t->q.d != 1) {
            rc = rc ? rc
                    : err_set(e, ERR_INVALID, "input",
                              "%s 按年度取值，应写成 %s[年份]=值", name, name);
            goto out;
        }
        year = (int)t->q.n;
        if ((rc = lexer_next(&lx, t, e)) != 0) {
            goto out;
        }
        if (!tok_is(t, "]") || (rc = lexer_next(&lx, t, e)) != 0) {
            rc = rc ? rc : err_set(e, ERR_INVALID, "input", "缺少“]”");
            goto out;
        }
    }
    if (!tok_is(t, "=") || (rc = lexer_next(&lx, t, e)) != 0) {
        rc = rc ? rc : err_set(e, ERR_INVALID, "input", "缺少“=”");
        goto out;
    }
    if (tok_is(t, "-")) {
        neg = 1;
        if ((rc = lexer_next(&lx, t, e)) != 0) {
            goto out;
        }
    }
    if ((rc = value_of(t, rule_field_get(fid)->unit, &v, neg, e)) != 0) {
        goto out;
    }
    rc = rule_field_get(fid)->kind == RF_YEARLY
             ? rule_input_set_year(in, fid, year, v, e)
             : rule_input_set(in, fid, v, e);
out:
    free(t);
    return rc;
}

/* The IP counts of RuleIpCounts, each as [lo, hi]: lo the rights that
 * surely count, hi those that may. */
enum {
    IPC_IP1,
    IPC_IP2,
    IPC_UNUSED,
    IPC_SELF,
    IPC_IP1_ALL,
    IPC_IP2_ALL,
    IPC_SELF_ANY
};

static void ipc_add(RuleIpCounts *c, int k, int sure, int maybe)
{
    c->lo[k] += sure;
    c->hi[k] += maybe;
}

void rule_ip_count_add(RuleIpCounts *c, const RuleIpRight *r, Date asof)
{
    /* sure: counted whatever the blanks are; maybe: counted under some
     * reading of them */
    int vs = r->valid == 1, ms = vs && r->main_product == 1;
    int self = !r->acquired, unused = r->hnte_year == 0;

    if (r->valid == 0 || r->expires_on < asof) {
        return;
    }
    /* 有效期内 counts (津科规〔2021〕3号) do not ask for the main product */
    ipc_add(c, IPC_IP1_ALL, vs && r->klass == 1, r->klass == 1);
    ipc_add(c, IPC_IP2_ALL, vs && r->klass == 2, r->klass == 2);
    if (r->main_product == 0) {
        return;
    }
    if (r->klass == 1) {
        ipc_add(c, IPC_IP1, ms, 1);
        ipc_add(c, IPC_SELF, ms && self, self);
        ipc_add(c, IPC_SELF_ANY, ms && self, self);
    } else if (r->klass == 2) {
        ipc_add(c, IPC_IP2, ms, 1);
        ipc_add(c, IPC_UNUSED, ms && unused, unused);
        ipc_add(c, IPC_SELF_ANY, ms && unused && self, unused && self);
    }
}

void rule_ip_counts_put(const RuleIpCounts *c,
                        void (*put)(void *ctx, int field, int64_t lo,
                                    int64_t hi),
                        void *ctx)
{
    static const char *const names[RULE_IPC_N] = {
        "ip1",     "ip2",     "ip2_unused", "ip1_self",
        "ip1_all", "ip2_all", "ip_self"};
    int64_t ip1_hi = c->hi[IPC_IP1];

    for (int k = 0; k < RULE_IPC_N; k++) {
        put(ctx, rule_field_find(names[k]), c->lo[k], c->hi[k]);
    }
    /* no high-value / applied flags in ip_rights: 0 when no right may
     * count as ip1, else missing until declared (at most ip1) */
    put(ctx, rule_field_find("ip1_high"), 0, ip1_hi);
    put(ctx, rule_field_find("ip1_applied"), 0, ip1_hi);
}

static void ipc_put_input(void *ctx, int field, int64_t lo, int64_t hi)
{
    rule_input_set_bounds(ctx, field, lo, hi, NULL);
}

void rule_input_count_ip(RuleInput *in, const RuleIpRight *ips, int n)
{
    RuleIpCounts c;

    memset(&c, 0, sizeof c);
    for (int i = 0; i < n; i++) {
        rule_ip_count_add(&c, &ips[i], in->asof);
    }
    rule_ip_counts_put(&c, ipc_put_input, in);
}

void rule_input_hash_dated(int year, Date asof, const uint8_t content[32],
                           uint8_t out[32])
{
    char buf[96];
    int n = snprintf(buf, sizeof buf - 32, "y=%d;asof=%d;", year, (int)asof);

    /* n < 64: the listing, 32 bytes and the padding fit one or two blocks */
    memcpy(buf + n, content, 32);
    crypto_hash_sha256(out, (const unsigned char *)buf, (size_t)n + 32);
}

void rule_input_hash(const RuleInput *in, char out[65])
{
    Buf b;
    uint8_t c[32], h[32];
    buf_init(&b, 0);
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int s = 0; s < RULE_YEARS; s++) {
            if (in->yhas[f][s]) {
                buf_appendf(&b, "%s[%d]=%lld;", rule_field_get(f)->name,
                            in->year - (RULE_YEARS - 1) + s,
                            (long long)in->yv[f][s]);
            }
        }
    }
    for (int f = RULE_N_YEARLY; f < rule_field_count(); f++) {
        if (in->shas[f]) {
            buf_appendf(&b, "%s=%lld;", rule_field_get(f)->name,
                        (long long)in->sv[f]);
        } else if (in->shi[f] > in->sv[f]) {
            buf_appendf(&b, "%s=%lld..%lld;", rule_field_get(f)->name,
                        (long long)in->sv[f], (long long)in->shi[f]);
        }
    }
    for (int i = 0; i < in->n_ex; i++) {
        buf_appendf(&b, "expert.%s=%s/%lld;", in->ex[i].item, in->ex[i].grade,
                    (long long)in->ex[i].score);
    }
    crypto_hash_sha256(c, (const unsigned char *)(b.len ? b.data : ""), b.len);
    rule_input_hash_dated(in->year, in->asof, c, h);
    hex32(h, out);
    buf_release(&b);
}

/* ---- embedded cases -------------------------------------------------- */

static void put_q(Buf *b, Q q)
{
    Val v = {.tv = TV_OK, .lo = q, .hi = q};
    explain_value(b, &v, UN_NONE);
}

int rule_set_run_case(const RuleSet *rs, int i, Buf *why)
{
    const Case *c;
    RuleInput *in;
    RuleResult *r = NULL;
    Date asof;
    int ok = 1;
    Err e;

    if (i < 0 || i >= rs->n_cases) {
        return 0;
    }
    c = &rs->cases[i];
    if (c->has_asof) {
        asof = c->asof;
    } else if (date_from_ymd(c->year, 12, 31, &asof, NULL, NULL) != 0) {
        asof = 0;
    }
    in = rule_input_new(c->year, asof);
    for (int k = 0; k < c->n_sets; k++) {
        const CaseSet *s = &c->sets[k];
        int rc = s->fid < 0
                     ? rule_input_set_expert(in, s->expert, s->grade, s->v, &e)
                 : rule_field_get(s->fid)->kind == RF_YEARLY
                     ? rule_input_set_year(in, s->fid, s->year, s->v, &e)
                     : rule_input_set(in, s->fid, s->v, &e);
        if (rc != 0) {
            buf_appendf(why, "%s:%d:%d: %s\n", rs->path, s->line, s->col,
                        e.msg);
            ok = 0;
        }
    }
    if (!ok || rule_eval(rs, in, &r, &e) != 0) {
        rule_input_free(in);
        return 0;
    }
    if (r->verdict != c->verdict) {
        buf_appendf(why, "结论应为%s，实际为%s\n",
                    rule_verdict_name(c->verdict),
                    rule_verdict_name(r->verdict));
        ok = 0;
    }
    for (int k = 0; k < c->n_expects; k++) {
        const CaseExpect *x = &c->expects[k];
        if (x->item < 0) {
            Q lo = q_int(r->total_lo), hi = q_int(r->total_hi);
            if (!r->has_total || q_cmp(lo, x->lo) != 0 ||
                q_cmp(hi, x->hi) != 0) {
                buf_appendf(why, "第 %d 行：总分应为 ", x->line);
                put_q(why, x->lo);
                if (q_cmp(x->lo, x->hi) != 0) {
                    buf_append_str(why, "..");
                    put_q(why, x->hi);
                }
                if (r->has_total) {
                    buf_appendf(why, "，实际为 %lld..%lld\n",
                                (long long)r->total_lo, (long long)r->total_hi);
                } else {
                    buf_append_str(why, "，实际无法计算\n");
                }
                ok = 0;
            }
        } else if (x->is_outcome) {
            int got = 0;
            for (int j = 0; j < r->n_rows; j++) {
                if (r->rows[j].item == x->item) {
                    got = r->rows[j].row.outcome;
                }
            }
            if (got != x->outcome) {
                buf_appendf(why, "第 %d 行：%s 应为%s，实际为%s\n", x->line,
                            rs->items[x->item].id,
                            rule_verdict_name(x->outcome),
                            rule_verdict_name(got));
                ok = 0;
            }
        } else {
            const Val *v = &r->vals[x->item];
            if (v->tv == TV_U || q_cmp(v->lo, x->lo) != 0 ||
                q_cmp(v->hi, x->hi) != 0) {
                buf_appendf(why, "第 %d 行：%s 应为 ", x->line,
                            rs->items[x->item].id);
                put_q(why, x->lo);
                if (q_cmp(x->lo, x->hi) != 0) {
                    buf_append_str(why, "..");
                    put_q(why, x->hi);
                }
                buf_append_str(why, "，实际为 ");
                explain_value(why, v, UN_NONE);
                buf_append_str(why, "\n");
                ok = 0;
            }
        }
    }
    if (!ok) {
        rule_result_format_text(r, why);
    }
    rule_result_free(r);
    rule_input_free(in);
    return ok;
}

/* ---- diff ------------------------------------------------------------ */

static void item_body(Buf *b, const Item *it);

/* The item of rs matching x: by id; an unnamed group member (generated id)
 * by its condition, else by its label, within the same group. */
static int find_match(const RuleSet *rs, const RuleSet *xs, const Item *x)
{
    Buf bx, by;
    int found = -1;
    const char *xp = x->parent >= 0 ? xs->items[x->parent].id : "";

    if (!x->auto_id) {
        for (int i = 0; i < rs->n_items; i++) {
            if (!rs->items[i].auto_id && strcmp(rs->items[i].id, x->id) == 0) {
                return i;
            }
        }
        return -1;
    }
    buf_init(&bx, 0);
    buf_init(&by, 0);
    item_body(&bx, x);
    for (int pass = 0; pass < 2 && found < 0; pass++) {
        for (int i = 0; i < rs->n_items && found < 0; i++) {
            const Item *y = &rs->items[i];
            const char *yp = y->parent >= 0 ? rs->items[y->parent].id : "";
            if (!y->auto_id || strcmp(xp, yp) != 0) {
                continue;
            }
            buf_reset(&by);
            item_body(&by, y);
            if (pass == 0 ? strcmp(bx.data, by.data) == 0
                          : strcmp(x->label, y->label) == 0) {
                found = i;
            }
        }
    }
    buf_release(&bx);
    buf_release(&by);
    return found;
}

static void item_body(Buf *b, const Item *it)
{
    if (it->has_max) {
        buf_append_str(b, "max ");
        put_q(b, it->max);
        buf_append_str(b, " ");
    }
    if (it->expr) {
        explain_node(b, it->expr);
    }
    for (int g = 0; g < it->n_grades; g++) {
        Val v = {.tv = TV_OK, .lo = it->grades[g].lo, .hi = it->grades[g].hi};
        buf_appendf(b, " %s“%s” ", it->grades[g].code, it->grades[g].label);
        explain_value(b, &v, UN_SCORE);
    }
}

static int diff_str(Buf *out, const char *what, const char *a, const char *b)
{
    a = OR_EMPTY(a);
    b = OR_EMPTY(b);
    if (strcmp(a, b) == 0) {
        return 0;
    }
    buf_appendf(out, "~ %s：%s → %s\n", what, a, b);
    return 1;
}

static int diff_node(Buf *out, const char *what, const Node *x, const Node *y)
{
    Buf a, b;
    int n;
    buf_init(&a, 0);
    buf_init(&b, 0);
    explain_node(&a, x);
    explain_node(&b, y);
    n = strcmp(a.data, b.data) != 0;
    if (n) {
        buf_appendf(out, "~ %s\n    旧：%s\n    新：%s\n", what, a.data,
                    b.data);
    }
    buf_release(&a);
    buf_release(&b);
    return n;
}

int rule_set_diff(const RuleSet *a, const RuleSet *b, Buf *out)
{
    int n = 0;
    char da[DATE_ISO_SIZE], db[DATE_ISO_SIZE];

    n += diff_str(out, "编号", a->h.id, b->h.id);
    n += diff_str(out, "名称", a->h.name, b->h.name);
    n += diff_str(out, "层级", a->h.tier, b->h.tier);
    n += diff_str(out, "文号", a->h.doc, b->h.doc);
    n += diff_str(out, "发文机关", a->h.issuer, b->h.issuer);
    n += diff_str(out, "地区", a->h.region, b->h.region);
    n += diff_str(out, "状态", a->h.status, b->h.status);
    date_format_iso(a->h.eff_from, da);
    date_format_iso(b->h.eff_from, db);
    n += diff_str(out, "生效日期", da, db);
    date_format_iso(a->h.eff_to, da);
    date_format_iso(b->h.eff_to, db);
    n += diff_str(out, "截止日期", da, db);
    for (int i = 0; i < a->n_items; i++) {
        const Item *x = &a->items[i];
        int j = find_match(b, a, x);
        if (j < 0) {
            buf_appendf(out, "- 删除 %s“%s”\n", x->id, x->label);
            n++;
            continue;
        }
        {
            const Item *y = &b->items[j];
            Buf ba, bb;
            char what[256];
            snprintf(what, sizeof what, "%s 的说明", y->id);
            n += diff_str(out, what, x->label, y->label);
            buf_init(&ba, 0);
            buf_init(&bb, 0);
            item_body(&ba, x);
            item_body(&bb, y);
            if (strcmp(ba.data, bb.data) != 0 || x->kind != y->kind) {
                buf_appendf(out,
                            "~ %s“%s”的条件或分值\n    旧：%s\n    新：%s\n",
                            y->id, y->label, ba.data, bb.data);
                n++;
            }
            buf_release(&ba);
            buf_release(&bb);
        }
    }
    for (int j = 0; j < b->n_items; j++) {
        if (find_match(a, b, &b->items[j]) < 0) {
            Buf bb;
            buf_init(&bb, 0);
            item_body(&bb, &b->items[j]);
            buf_appendf(out, "+ 新增 %s“%s”：%s\n", b->items[j].id,
                        b->items[j].label, bb.data);
            buf_release(&bb);
            n++;
        }
    }
    n += diff_node(out, "达标条件 pass", a->pass, b->pass);
    n += diff_node(out, "总分 total", a->total, b->total);
    return n;
}
