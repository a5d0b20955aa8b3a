/* policy_item.c - policies and items of the pool: loading, the amount
 * formula, validation at save, lists and details (see policy.h). */
#include "domain/policy/policy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/money.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "rules/field.h"

#define ITEM_COLS                                                              \
    "i.id, i.policy_id, i.code, i.title, p.title, i.rule_text, "               \
    "i.trigger_kind, i.trigger_basis, i.auto_grant, i.amount_kind, "           \
    "i.amount, i.figure, i.figure_year, i.rate_bp, i.cap, i.tiers, "           \
    "i.budget_line, i.window_from, i.window_to, i.stack_group, "               \
    "i.stack_rule, i.year_cap, i.excludes, i.status, i.benefit, "              \
    "i.created_at, i.updated_at, p.effective_from, p.effective_to"

static const char *const amt_codes[] = {"none", "fixed", "percent", "tiered",
                                        "per_event"};
static const char *const amt_names[] = {"仅提示（无资金）", "固定金额",
                                        "按比例（封顶）", "分档", "按事件计"};
static const char *const stack_codes[] = {"", "exclusive", "highest"};
static const char *const stack_names[] = {"", "同一事项不重复享受",
                                          "就高不重复"};

/* The statuses of a policy and of its items: the checks of a write take
 * these codes, every read names them (status_name) and GET
 * /reference/labels serves the table (policy_statuses). */
static const struct {
    const char *code, *name;
} policy_statuses[] = {
    {"confirmed", "已核实"},
    {"unverified", "待核实"},
    {"retired", "停用"},
};

const char *policy_status_name(const char *code)
{
    for (size_t i = 0;
         code && i < sizeof policy_statuses / sizeof *policy_statuses; i++) {
        if (strcmp(policy_statuses[i].code, code) == 0) {
            return policy_statuses[i].name;
        }
    }
    return NULL;
}

json_t *policy_statuses_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < sizeof policy_statuses / sizeof *policy_statuses;
         i++) {
        json_array_append_new(arr, json_pack("{ssss}", "value",
                                             policy_statuses[i].code, "label",
                                             policy_statuses[i].name));
    }
    return arr;
}

static int code_index(const char *const *codes, int n, const char *s)
{
    for (int i = 0; s && i < n; i++) {
        if (strcmp(codes[i], s) == 0) {
            return i;
        }
    }
    return -1;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* ---- parsed conditions kept in the process ---- */

/* One parsed rule text, shared by the items loaded with it. refs counts
 * the items holding it, plus one while it is in the cache; the last one
 * to let go frees it. Immutable once made except prog (compiled on first
 * use) and the counts, all under rules_lock. */
typedef struct PolicyRules {
    char code[POLICY_CODE_MAX];
    char *text;
    size_t len;
    uint64_t hash;
    RuleSet *rs;
    BatchProg *prog;
    int refs;
    uint64_t used;
} PolicyRules;

#define RULES_SLOTS 256 /* more than POLICY_ITEMS_MAX: old and new texts */

static PolicyRules *rules_slot[RULES_SLOTS];
static uint64_t rules_tick, rules_parsed;
static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t rules_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    }
    return h;
}

/* Drop one reference (under rules_lock); free on the last. */
static void rules_unref_locked(PolicyRules *r)
{
    if (--r->refs > 0) {
        return;
    }
    batch_free(r->prog);
    rule_set_free(r->rs);
    free(r->text);
    free(r);
}

uint64_t policy_rules_parsed(void)
{
    uint64_t n;

    pthread_mutex_lock(&rules_lock);
    n = rules_parsed;
    pthread_mutex_unlock(&rules_lock);
    return n;
}

/* it's conditions from the text rule (code it->code): the kept parse, or
 * parsed now and kept (the least recently used slot given up when all
 * are taken). */
static int rules_get(PolicyItem *it, const char *rule, Err *e)
{
    size_t len = strlen(rule);
    uint64_t h = rules_hash(rule, len);
    PolicyRules *r = NULL;
    RuleSet *rs = NULL;
    int slot = 0;

    pthread_mutex_lock(&rules_lock);
    for (int i = 0; i < RULES_SLOTS; i++) {
        PolicyRules *c = rules_slot[i];

        if (c && c->hash == h && c->len == len &&
            strcmp(c->code, it->code) == 0 && memcmp(c->text, rule, len) == 0) {
            r = c;
            break;
        }
    }
    if (r) {
        r->refs++;
        r->used = ++rules_tick;
        it->rs = r->rs;
        it->rules = r;
        pthread_mutex_unlock(&rules_lock);
        return 0;
    }
    rules_parsed++;
    pthread_mutex_unlock(&rules_lock);
    /* parsed outside the lock: another thread may parse the same text at
     * the same time (both kept; the older slot ages out) */
    if (rule_set_parse(it->code, rule, len, &rs, e)) {
        return e->code;
    }
    r = xcalloc(1, sizeof *r);
    snprintf(r->code, sizeof r->code, "%s", it->code);
    r->text = xmalloc(len + 1);
    memcpy(r->text, rule, len + 1);
    r->len = len;
    r->hash = h;
    r->rs = rs;
    r->refs = 2; /* the cache's and the item's */
    pthread_mutex_lock(&rules_lock);
    for (int i = 0; i < RULES_SLOTS; i++) {
        if (!rules_slot[i]) {
            slot = i;
            break;
        }
        if (rules_slot[i]->used < rules_slot[slot]->used) {
            slot = i;
        }
    }
    if (rules_slot[slot]) {
        rules_unref_locked(rules_slot[slot]);
    }
    rules_slot[slot] = r;
    r->used = ++rules_tick;
    pthread_mutex_unlock(&rules_lock);
    it->rs = rs;
    it->rules = r;
    return 0;
}

int policy_item_prog(const PolicyItem *it, const BatchProg **prog,
                     BatchProg **own, Err *e)
{
    int rc = 0;

    *prog = NULL;
    *own = NULL;
    if (!it->rs) {
        return 0;
    }
    if (!it->rules) {
        rc = batch_compile(it->rs, own, e);
        *prog = *own;
        return rc;
    }
    pthread_mutex_lock(&rules_lock);
    if (!it->rules->prog) {
        rc = batch_compile(it->rules->rs, &it->rules->prog, e);
    }
    *prog = it->rules->prog;
    pthread_mutex_unlock(&rules_lock);
    return rc;
}

void policy_item_release(PolicyItem *it)
{
    if (!it) {
        return;
    }
    if (it->rules) {
        pthread_mutex_lock(&rules_lock);
        rules_unref_locked(it->rules);
        pthread_mutex_unlock(&rules_lock);
    } else if (it->rs) {
        rule_set_free(it->rs);
    }
    it->rs = NULL;
    it->rules = NULL;
}

void policy_items_free(PolicyItem *items, int n)
{
    for (int i = 0; items && i < n; i++) {
        policy_item_release(&items[i]);
    }
    free(items);
}

/* Parse a tier list (JSON text or array) into it; ERR_INVALID naming
 * "tiers" when malformed, unordered or negative. */
static int tiers_from_json(json_t *arr, PolicyItem *it, Err *e)
{
    size_t i;
    json_t *t;

    it->n_tiers = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        return err_set(e, ERR_INVALID, "tiers",
                       "分档金额应为数组，如 [{\"from_wan\": \"500\", "
                       "\"amount_wan\": \"10\"}]");
    }
    if (json_array_size(arr) > POLICY_TIERS_MAX) {
        return err_set(e, ERR_TOOBIG, "tiers", "分档最多 %d 档",
                       POLICY_TIERS_MAX);
    }
    json_array_foreach(arr, i, t)
    {
        json_t *from = json_object_get(t, "from");
        json_t *amt = json_object_get(t, "amount");
        json_t *from_w = json_object_get(t, "from_wan");
        json_t *amt_w = json_object_get(t, "amount_wan");
        int64_t f = 0, a = 0;
        char field[32];

        snprintf(field, sizeof field, "tiers[%zu]", i);
        if (json_is_integer(from) && json_is_integer(amt)) {
            f = json_integer_value(from);
            a = json_integer_value(amt);
        } else if (json_is_string(from_w) && json_is_string(amt_w)) {
            if (money_parse_wan(json_string_value(from_w), &f, 0, field, e) ||
                money_parse_wan(json_string_value(amt_w), &a, 0, field, e)) {
                return ERR_INVALID;
            }
        } else {
            return err_set(
                e, ERR_INVALID, field,
                "第 %zu 档应写起点 from_wan 和金额 amount_wan（万元）", i + 1);
        }
        if (f < 0 || a < 0) {
            return err_set(e, ERR_INVALID, field,
                           "第 %zu 档的起点和金额不能为负数", i + 1);
        }
        if (i > 0 && f <= it->tiers[i - 1].from) {
            return err_set(e, ERR_INVALID, field,
                           "第 %zu 档的起点应大于上一档（分档按起点从低到高，"
                           "含起点）",
                           i + 1);
        }
        it->tiers[i].from = f;
        it->tiers[i].amount = a;
        it->n_tiers++;
    }
    return 0;
}

/* Fill it from a row selected with ITEM_COLS. */
static int item_from_row(DbStmt *st, PolicyItem *it, Err *e)
{
    const char *rule = db_col_text(st, 5);
    const char *tiers = db_col_text(st, 15);
    const char *fig = db_col_text(st, 11);
    int k;

    memset(it, 0, sizeof *it);
    it->id = db_col_int64(st, 0);
    it->policy_id = db_col_int64(st, 1);
    copy_str(it->code, sizeof it->code, db_col_text(st, 2));
    copy_str(it->title, sizeof it->title, db_col_text(st, 3));
    copy_str(it->policy_title, sizeof it->policy_title, db_col_text(st, 4));
    copy_str(it->trigger_kind, sizeof it->trigger_kind, db_col_text(st, 6));
    copy_str(it->trigger_basis, sizeof it->trigger_basis, db_col_text(st, 7));
    it->auto_grant = (int)db_col_int64(st, 8);
    k = code_index(amt_codes, 5, db_col_text(st, 9));
    it->amount_kind = k < 0 ? POLICY_AMT_NONE : k;
    it->amount = db_col_int64(st, 10);
    it->figure = !fig                          ? -1
                 : strcmp(fig, "claimed") == 0 ? POLICY_FIGURE_CLAIMED
                                               : rule_field_find(fig);
    it->figure_year = (int)db_col_int64(st, 12);
    it->rate_bp = db_col_int64(st, 13);
    it->cap = db_col_int64(st, 14);
    copy_str(it->budget_line, sizeof it->budget_line, db_col_text(st, 16));
    copy_str(it->window_from, sizeof it->window_from, db_col_text(st, 17));
    copy_str(it->window_to, sizeof it->window_to, db_col_text(st, 18));
    copy_str(it->stack_group, sizeof it->stack_group, db_col_text(st, 19));
    k = code_index(stack_codes, 3, db_col_text(st, 20));
    it->stack_rule = k < 0 ? POLICY_STACK_NONE : k;
    it->year_cap = db_col_int64(st, 21);
    copy_str(it->excludes, sizeof it->excludes, db_col_text(st, 22));
    copy_str(it->status, sizeof it->status, db_col_text(st, 23));
    copy_str(it->eff_from, sizeof it->eff_from, db_col_text(st, 27));
    copy_str(it->eff_to, sizeof it->eff_to, db_col_text(st, 28));
    if (tiers) {
        json_t *arr = json_loads(tiers, 0, NULL);
        Err e2;

        err_clear(&e2);
        tiers_from_json(arr, it, &e2);
        json_decref(arr);
    }
    if (rule && *rule) {
        return rules_get(it, rule, e);
    }
    return 0;
}

int policy_item_load(Db *db, int64_t id, PolicyItem *out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT " ITEM_COLS " FROM policy_items i JOIN policies "
                      "p ON p.id = i.policy_id WHERE i.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        rc = item_from_row(st, out, e);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "政策条款不存在");
    }
out:
    db_finalize(st);
    return rc;
}

int policy_items_load_all(Db *db, PolicyItem **items, int *n, Err *e)
{
    DbStmt *st = NULL;
    PolicyItem *v = NULL;
    int cnt = 0, rc;

    *items = NULL;
    *n = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " ITEM_COLS " FROM policy_items i JOIN policies "
                      "p ON p.id = i.policy_id WHERE i.status <> 'retired' "
                      "AND p.status <> 'retired' ORDER BY i.id",
                      "");
    if (rc) {
        goto out;
    }
    v = xcalloc(POLICY_ITEMS_MAX, sizeof *v);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (cnt >= POLICY_ITEMS_MAX) {
            rc = err_set(e, ERR_TOOBIG, NULL, "政策条款超过 %d 条",
                         POLICY_ITEMS_MAX);
            goto out;
        }
        rc = item_from_row(st, &v[cnt], e);
        cnt++;
        if (rc) {
            goto out;
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    if (rc) {
        policy_items_free(v, cnt);
    } else {
        *items = v;
        *n = cnt;
    }
    return rc;
}

static void wan(int64_t yuan, char *out, size_t cap)
{
    Buf b;
    char *s;

    buf_init(&b, 64);
    money_format_wan(yuan, &b);
    s = buf_detach(&b, NULL);
    snprintf(out, cap, "%s", s ? s : "");
    free(s);
}

/* The figure's label: "研发费用（2023年）" for year y, or "申报金额". */
static void figure_label(const PolicyItem *it, int y, char *out, size_t cap)
{
    const RuleField *f = it->figure >= 0 ? rule_field_get(it->figure) : NULL;

    if (it->figure == POLICY_FIGURE_CLAIMED) {
        snprintf(out, cap, "申报金额");
    } else if (f && y) {
        snprintf(out, cap, "%s（%d年）", f->label, y + it->figure_year);
    } else if (f) {
        snprintf(out, cap, "%s（评价年度%+d年）", f->label, it->figure_year);
    } else {
        snprintf(out, cap, "?");
    }
}

/* The rate as a percent text ("10%", "12.5%"). */
static void rate_text(int64_t bp, char *out, size_t cap)
{
    if (bp % 100 == 0) {
        snprintf(out, cap, "%lld%%", (long long)(bp / 100));
    } else if (bp % 10 == 0) {
        snprintf(out, cap, "%lld.%lld%%", (long long)(bp / 100),
                 (long long)(bp % 100 / 10));
    } else {
        snprintf(out, cap, "%lld.%02lld%%", (long long)(bp / 100),
                 (long long)(bp % 100));
    }
}

int policy_amount(const PolicyItem *it, int present, int64_t v, int64_t events,
                  int64_t *out, char *basis, size_t cap)
{
    char a[48], b[48], c[48], lab[96];
    int64_t amt = 0;
    int capped = 0;

    *out = 0;
    if (basis && cap) {
        basis[0] = '\0';
    }
    switch (it->amount_kind) {
    case POLICY_AMT_FIXED:
        amt = it->amount;
        if (basis) {
            wan(amt, a, sizeof a);
            snprintf(basis, cap, "固定金额 %s 万元", a);
        }
        break;
    case POLICY_AMT_PER_EVENT:
        amt = it->amount * (events > 0 ? events : 0);
        if (basis) {
            wan(it->amount, a, sizeof a);
            wan(amt, b, sizeof b);
            snprintf(basis, cap, "每次 %s 万元 × %lld 次 = %s 万元", a,
                     (long long)events, b);
        }
        break;
    case POLICY_AMT_PERCENT:
        if (!present) {
            if (basis) {
                figure_label(it, 0, lab, sizeof lab);
                snprintf(basis, cap, "缺少%s，金额无法计算", lab);
            }
            return 1;
        }
        if (v < 0) {
            v = 0;
        }
        /* the one rounding rule: floor to whole 元 (v and rate_bp are
         * non-negative, so integer division floors) */
        {
            __int128 p = (__int128)v * it->rate_bp / 10000;

            amt = p > INT64_MAX ? INT64_MAX : (int64_t)p;
        }
        if (it->cap > 0 && amt > it->cap) {
            amt = it->cap;
            capped = 1;
        }
        if (basis) {
            figure_label(it, 0, lab, sizeof lab);
            wan(v, a, sizeof a);
            rate_text(it->rate_bp, c, sizeof c);
            wan(amt, b, sizeof b);
            snprintf(basis, cap, "%s %s 万元 × %s（向下取整到元）%s %s 万元",
                     it->figure == POLICY_FIGURE_CLAIMED ? "申报金额"
                                                         : "依据数",
                     a, c, capped ? "，超过上限，按上限" : "=", b);
        }
        break;
    case POLICY_AMT_TIERED:
        if (!present) {
            if (basis) {
                snprintf(basis, cap, "缺少分档依据的数据，金额无法计算");
            }
            return 1;
        }
        for (int i = 0; i < it->n_tiers; i++) {
            if (v >= it->tiers[i].from) {
                amt = it->tiers[i].amount;
            }
        }
        if (basis) {
            wan(v, a, sizeof a);
            wan(amt, b, sizeof b);
            snprintf(basis, cap, "依据数 %s 万元，按分档 %s 万元", a, b);
        }
        break;
    default:
        if (basis) {
            snprintf(basis, cap, "仅提示，无资金");
        }
        break;
    }
    *out = amt;
    return 0;
}

/* The formula in words, for details and lists. */
static void formula_text(const PolicyItem *it, Buf *b)
{
    char a[48], c[48], lab[96];

    figure_label(it, 0, lab, sizeof lab);
    switch (it->amount_kind) {
    case POLICY_AMT_FIXED:
        wan(it->amount, a, sizeof a);
        buf_appendf(b, "固定 %s 万元", a);
        break;
    case POLICY_AMT_PER_EVENT:
        wan(it->amount, a, sizeof a);
        buf_appendf(b, "每次 %s 万元", a);
        break;
    case POLICY_AMT_PERCENT:
        rate_text(it->rate_bp, c, sizeof c);
        buf_appendf(b, "%s × %s（向下取整到元）", lab, c);
        if (it->cap > 0) {
            wan(it->cap, a, sizeof a);
            buf_appendf(b, "，最高 %s 万元", a);
        }
        break;
    case POLICY_AMT_TIERED:
        buf_appendf(b, "按%s分档：", lab);
        for (int i = 0; i < it->n_tiers; i++) {
            wan(it->tiers[i].from, a, sizeof a);
            wan(it->tiers[i].amount, c, sizeof c);
            buf_appendf(b, "%s%s 万元（含）以上 %s 万元", i ? "；" : "", a, c);
        }
        break;
    default:
        buf_append_str(b, "仅提示，无资金");
    }
    if (it->year_cap > 0) {
        wan(it->year_cap, a, sizeof a);
        buf_appendf(b, "；每家每年最高 %s 万元", a);
    }
}

static json_t *wan_json(int64_t yuan)
{
    char a[48];

    wan(yuan, a, sizeof a);
    return json_string(a);
}

/* JSON of an item (definition and formula; no cases). */
static json_t *item_json(const PolicyItem *it)
{
    json_t *o = json_object();
    Buf b;
    char *s;

    buf_init(&b, 4096);
    formula_text(it, &b);
    s = buf_detach(&b, NULL);
    json_object_set_new(o, "id", json_integer(it->id));
    json_object_set_new(o, "policy_id", json_integer(it->policy_id));
    json_object_set_new(o, "policy_title", json_string(it->policy_title));
    json_object_set_new(o, "code", json_string(it->code));
    json_object_set_new(o, "title", json_string(it->title));
    json_object_set_new(o, "trigger_kind", json_string(it->trigger_kind));
    json_object_set_new(o, "trigger_basis", json_string(it->trigger_basis));
    json_object_set_new(o, "auto_grant", json_boolean(it->auto_grant));
    json_object_set_new(o, "amount_kind",
                        json_string(amt_codes[it->amount_kind]));
    json_object_set_new(o, "amount_kind_name",
                        json_string(amt_names[it->amount_kind]));
    json_object_set_new(o, "amount_wan", wan_json(it->amount));
    json_object_set_new(o, "formula", json_string(s ? s : ""));
    free(s);
    if (it->figure == POLICY_FIGURE_CLAIMED) {
        json_object_set_new(o, "figure", json_string("claimed"));
    } else if (it->figure >= 0) {
        json_object_set_new(o, "figure",
                            json_string(rule_field_get(it->figure)->name));
    } else {
        json_object_set_new(o, "figure", json_null());
    }
    json_object_set_new(o, "figure_year", json_integer(it->figure_year));
    json_object_set_new(o, "rate_bp", json_integer(it->rate_bp));
    json_object_set_new(o, "cap_wan", wan_json(it->cap));
    json_object_set_new(o, "year_cap_wan", wan_json(it->year_cap));
    {
        json_t *arr = json_array();

        for (int i = 0; i < it->n_tiers; i++) {
            json_array_append_new(
                arr,
                json_pack("{s:o,s:o}", "from_wan", wan_json(it->tiers[i].from),
                          "amount_wan", wan_json(it->tiers[i].amount)));
        }
        json_object_set_new(o, "tiers", arr);
    }
    json_object_set_new(o, "budget_line", json_string(it->budget_line));
    json_object_set_new(o, "window_from", json_string(it->window_from));
    json_object_set_new(o, "window_to", json_string(it->window_to));
    json_object_set_new(o, "stack_group", json_string(it->stack_group));
    json_object_set_new(o, "stack_rule",
                        json_string(stack_codes[it->stack_rule]));
    json_object_set_new(o, "stack_rule_name",
                        json_string(stack_names[it->stack_rule]));
    json_object_set_new(o, "excludes", json_string(it->excludes));
    json_object_set_new(o, "status", json_string(it->status));
    json_object_set_new(o, "status_name",
                        json_string(policy_status_name(it->status)
                                        ? policy_status_name(it->status)
                                        : ""));
    return o;
}

int policy_items_list(Db *db, json_t **items, Err *e)
{
    PolicyItem *v = NULL;
    int n = 0, rc;

    *items = NULL;
    rc = policy_items_load_all(db, &v, &n, e);
    if (rc) {
        return rc;
    }
    *items = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(*items, item_json(&v[i]));
    }
    policy_items_free(v, n);
    return 0;
}

int policy_item_get(Db *db, int64_t id, json_t **out, Err *e)
{
    PolicyItem it;
    json_t *o = NULL, *cases;
    char *text = NULL, *benefit = NULL;
    int rc;

    memset(&it, 0, sizeof it);
    rc = policy_item_load(db, id, &it, e);
    if (rc) {
        goto out;
    }
    rc = db_query_text(db, &text, e,
                       "SELECT rule_text FROM policy_items WHERE id = $1", "i",
                       id);
    if (rc == 0) {
        rc = db_query_text(db, &benefit, e,
                           "SELECT benefit FROM policy_items WHERE id = $1",
                           "i", id);
    }
    if (rc) {
        goto out;
    }
    o = item_json(&it);
    json_object_set_new(o, "rule_text", json_string(text ? text : ""));
    json_object_set_new(o, "benefit", json_string(benefit ? benefit : ""));
    cases = json_array();
    for (int i = 0; it.rs && i < rule_set_n_cases(it.rs); i++) {
        Buf why;
        char *w;
        int ok;

        buf_init(&why, 4096);
        ok = rule_set_run_case(it.rs, i, &why);
        w = buf_detach(&why, NULL);
        json_array_append_new(cases, json_pack("{s:s,s:b,s:s}", "name",
                                               rule_set_case_name(it.rs, i),
                                               "ok", ok, "why", w ? w : ""));
        free(w);
    }
    json_object_set_new(o, "cases", cases);
    *out = o;
out:
    free(text);
    free(benefit);
    policy_item_release(&it);
    return rc;
}

/* ---- save ---- */

/* Optional string member (NULL when absent or null); ERR_INVALID naming
 * the field when not a string or longer than max bytes. */
static int opt_str(json_t *body, const char *k, size_t max, const char **out,
                   Err *e)
{
    json_t *v = json_object_get(body, k);

    *out = NULL;
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) > max) {
        return err_set(e, ERR_INVALID, k, "%s应为不超过 %zu 字节的文本", k,
                       max);
    }
    *out = json_string_value(v);
    if (!**out) {
        *out = NULL;
    }
    return 0;
}

/* Optional 万元 member into 元 (0 when absent). */
static int opt_wan(json_t *body, const char *k, int64_t *out, Err *e)
{
    json_t *v = json_object_get(body, k);

    *out = 0;
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            return err_set(e, ERR_INVALID, k, "金额不能为负数");
        }
        *out = json_integer_value(v) * 10000;
        return 0;
    }
    if (!json_is_string(v)) {
        return err_set(e, ERR_INVALID, k,
                       "金额应为万元数（文本，最多四位小数）");
    }
    if (json_string_value(v)[0] == '-') {
        return err_set(e, ERR_INVALID, k,
                       "金额不能为负数：公式不得给出负的金额");
    }
    return money_parse_wan(json_string_value(v), out, 0, k, e);
}

/* A percentage text ("10%", "12.5", "0.25%") into 万分之 (basis points).
 * More than two decimals of a percent is refused: the rate would not be a
 * whole number of basis points. */
static int parse_rate(const char *s, int64_t *bp, Err *e)
{
    int64_t ip = 0, frac = 0;
    int nf = 0;
    const char *p = s;

    if (!p || !*p) {
        return err_set(e, ERR_INVALID, "rate", "按比例的条款须填比例，如 10%%");
    }
    if (*p == '-') {
        return err_set(e, ERR_INVALID, "rate",
                       "比例不能为负数：公式不得给出负的金额");
    }
    if (*p < '0' || *p > '9') {
        return err_set(e, ERR_INVALID, "rate", "比例应为数字，如 10%%");
    }
    while (*p >= '0' && *p <= '9') {
        ip = ip * 10 + (*p++ - '0');
        if (ip > 1000) {
            return err_set(e, ERR_INVALID, "rate", "比例不能超过 1000%%");
        }
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (nf == 2) {
                return err_set(e, ERR_INVALID, "rate",
                               "比例最多两位小数（万分之一）");
            }
            frac = frac * 10 + (*p++ - '0');
            nf++;
        }
    }
    if (nf == 1) {
        frac *= 10;
    }
    if (*p == '%') {
        p++;
    }
    if (*p) {
        return err_set(e, ERR_INVALID, "rate", "比例应为数字，如 10%%");
    }
    *bp = ip * 100 + frac;
    return 0;
}

static int check_date(const char *s, const char *field, Err *e)
{
    Date d;

    return s ? date_parse(s, &d, field, e) : 0;
}

static int check_code(const char *s, const char *field, Err *e)
{
    if (!s || !*s || strlen(s) >= POLICY_CODE_MAX ||
        strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(s)) {
        return err_set(e, ERR_INVALID, field,
                       "编码应为小写字母、数字、- 和 _（不超过 %d 字节）",
                       POLICY_CODE_MAX - 1);
    }
    return 0;
}

/* The item's stored row as JSON (for audit before/after). */
static json_t *item_row_json(Db *db, int64_t id)
{
    json_t *o = NULL;
    Err e;

    err_clear(&e);
    if (policy_item_get(db, id, &o, &e) == 0) {
        json_object_del(o, "cases");
    }
    return o;
}

int policy_item_save(Db *db, const Actor *a, int64_t policy_id, int64_t id,
                     json_t *body, int64_t *out_id, Err *e)
{
    static const char *const known[] = {"code",
                                        "title",
                                        "rule_text",
                                        "trigger_kind",
                                        "trigger_basis",
                                        "auto_grant",
                                        "amount_kind",
                                        "amount_wan",
                                        "figure",
                                        "figure_year",
                                        "rate",
                                        "cap_wan",
                                        "tiers",
                                        "budget_line",
                                        "window_from",
                                        "window_to",
                                        "stack_group",
                                        "stack_rule",
                                        "year_cap_wan",
                                        "excludes",
                                        "benefit",
                                        "status",
                                        NULL};
    const char *code = NULL, *title = NULL, *rule = NULL, *tk = NULL,
               *tb = NULL, *akind = NULL, *fig = NULL, *rate = NULL,
               *line = NULL, *wf = NULL, *wt = NULL, *sg = NULL, *sr = NULL,
               *exc = NULL, *benefit = NULL, *status = NULL;
    PolicyItem tmp;
    RuleSet *rs = NULL;
    json_t *before = NULL, *after = NULL, *v;
    DbStmt *st = NULL;
    char *tiers_text = NULL;
    int64_t amount = 0, cap = 0, ycap = 0, bp = 0, fy = 0, n;
    int ak, fid = -1, autog = 0, rc;
    char now[32];
    const char *key;

    memset(&tmp, 0, sizeof tmp);
    if (a->role == ROLE_AGENT || a->role == ROLE_DEPT) {
        return err_set(e, ERR_FORBIDDEN, NULL, "政策池由区科技局维护");
    }
    if (!json_is_object(body)) {
        return err_set(e, ERR_INVALID, NULL, "请求体必须是 JSON 对象");
    }
    json_object_foreach(body, key, v)
    {
        int ok = 0;

        for (int i = 0; known[i]; i++) {
            ok |= strcmp(known[i], key) == 0;
        }
        if (!ok) {
            return err_set(e, ERR_INVALID, key, "未知字段：%s", key);
        }
    }
    if ((rc = opt_str(body, "code", POLICY_CODE_MAX, &code, e)) ||
        (rc = opt_str(body, "title", 200, &title, e)) ||
        (rc = opt_str(body, "rule_text", POLICY_RULE_TEXT_MAX, &rule, e)) ||
        (rc = opt_str(body, "trigger_kind", 32, &tk, e)) ||
        (rc = opt_str(body, "trigger_basis", 32, &tb, e)) ||
        (rc = opt_str(body, "amount_kind", 16, &akind, e)) ||
        (rc = opt_str(body, "figure", 32, &fig, e)) ||
        (rc = opt_str(body, "rate", 16, &rate, e)) ||
        (rc = opt_str(body, "budget_line", 100, &line, e)) ||
        (rc = opt_str(body, "window_from", 10, &wf, e)) ||
        (rc = opt_str(body, "window_to", 10, &wt, e)) ||
        (rc = opt_str(body, "stack_group", 32, &sg, e)) ||
        (rc = opt_str(body, "stack_rule", 16, &sr, e)) ||
        (rc = opt_str(body, "excludes", 400, &exc, e)) ||
        (rc = opt_str(body, "benefit", 2000, &benefit, e)) ||
        (rc = opt_str(body, "status", 16, &status, e)) ||
        (rc = opt_wan(body, "amount_wan", &amount, e)) ||
        (rc = opt_wan(body, "cap_wan", &cap, e)) ||
        (rc = opt_wan(body, "year_cap_wan", &ycap, e))) {
        return rc;
    }
    if ((rc = check_code(code, "code", e))) {
        return rc;
    }
    if (!title) {
        return err_set(e, ERR_INVALID, "title", "请填写条款名称");
    }
    ak = code_index(amt_codes, 5, akind ? akind : "");
    if (ak < 0) {
        return err_set(e, ERR_INVALID, "amount_kind",
                       "金额方式应为 fixed（固定）、percent（按比例）、tiered"
                       "（分档）、per_event（按事件）或 none（仅提示）");
    }
    v = json_object_get(body, "auto_grant");
    if (v && !json_is_boolean(v)) {
        return err_set(e, ERR_INVALID, "auto_grant", "免申即享应为 true/false");
    }
    autog = v && json_is_true(v);
    v = json_object_get(body, "figure_year");
    if (v) {
        if (!json_is_integer(v) || json_integer_value(v) < -(RULE_YEARS - 1) ||
            json_integer_value(v) > 0) {
            return err_set(e, ERR_INVALID, "figure_year",
                           "依据数年度应为 -7 至 0（相对评价年度）");
        }
        fy = json_integer_value(v);
    }
    if (status && !policy_status_name(status)) {
        return labels_refuse(e, "status", "状态", policy_statuses_json(), NULL);
    }
    if (sr && code_index(stack_codes, 3, sr) < 1) {
        return err_set(e, ERR_INVALID, "stack_rule",
                       "叠加规则应为 exclusive（同一事项不重复享受）或 "
                       "highest（就高不重复）");
    }
    if (sr && !sg) {
        return err_set(e, ERR_INVALID, "stack_group",
                       "叠加规则须同时填写事项组");
    }
    if ((rc = check_date(wf, "window_from", e)) ||
        (rc = check_date(wt, "window_to", e))) {
        return rc;
    }
    if (wf && wt && strcmp(wf, wt) > 0) {
        return err_set(e, ERR_INVALID, "window_to", "申报截止日不能早于开始日");
    }
    if (tk &&
        strspn(tk, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(tk)) {
        return err_set(e, ERR_INVALID, "trigger_kind", "资质类型编码无效");
    }
    if (autog && !tk && !rule) {
        return err_set(e, ERR_INVALID, "auto_grant",
                       "免申即享的条款须有系统掌握的依据（资质类型或条件）");
    }
    /* amount formula: never negative, never a fraction of 元 */
    if (ak == POLICY_AMT_FIXED || ak == POLICY_AMT_PER_EVENT) {
        if (!json_object_get(body, "amount_wan")) {
            return err_set(e, ERR_INVALID, "amount_wan", "请填写金额（万元）");
        }
    }
    if (ak == POLICY_AMT_PERCENT || ak == POLICY_AMT_TIERED) {
        if (!fig) {
            return err_set(
                e, ERR_INVALID, "figure",
                "按比例或分档的条款须指定依据数（字段名或 claimed）");
        }
        if (strcmp(fig, "claimed") == 0) {
            if (ak == POLICY_AMT_TIERED) {
                return err_set(e, ERR_INVALID, "figure",
                               "分档的依据数须为企业库中的年度字段");
            }
        } else {
            const RuleField *f;

            fid = rule_field_find(fig);
            f = fid >= 0 ? rule_field_get(fid) : NULL;
            if (!f || f->kind != RF_YEARLY) {
                return err_set(e, ERR_INVALID, "figure",
                               "依据数应为年度字段（如 rd_expense）或 claimed");
            }
            if (strcmp(fig, "net_profit") == 0) {
                return err_set(
                    e, ERR_INVALID, "figure",
                    "净利润可能为负数，按它计算的金额可能为负：不能作"
                    "依据数");
            }
        }
    }
    if (ak == POLICY_AMT_PERCENT) {
        if ((rc = parse_rate(rate, &bp, e))) {
            return rc;
        }
    }
    if (ak == POLICY_AMT_TIERED) {
        if ((rc = tiers_from_json(json_object_get(body, "tiers"), &tmp, e))) {
            return rc;
        }
        tiers_text = json_dumps(json_object_get(body, "tiers"), JSON_COMPACT);
    }
    if (ak != POLICY_AMT_NONE && !line) {
        return err_set(e, ERR_INVALID, "budget_line",
                       "有资金的条款须填写预算科目");
    }
    if (rule) {
        Buf why;
        char *w;

        if ((rc = rule_set_parse("rule_text", rule, strlen(rule), &rs, e))) {
            err_set(e, rc, "rule_text", "%s", e->msg);
            goto out;
        }
        for (int i = 0; i < rule_set_n_cases(rs); i++) {
            buf_init(&why, 2048);
            if (!rule_set_run_case(rs, i, &why)) {
                w = buf_detach(&why, NULL);
                rc = err_set(e, ERR_INVALID, "rule_text", "用例“%s”不通过：%s",
                             rule_set_case_name(rs, i), w ? w : "");
                free(w);
                goto out;
            }
            buf_release(&why);
        }
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc =
        db_query_int64(db, &n, e, "SELECT count(*) FROM policies WHERE id = $1",
                       "i", policy_id);
    if (rc == 0 && n == 0) {
        rc = err_set(e, ERR_NOTFOUND, "policy_id", "政策不存在");
    }
    if (rc) {
        goto out;
    }
    if (id) {
        before = item_row_json(db, id);
        if (!before) {
            rc = err_set(e, ERR_NOTFOUND, "id", "政策条款不存在");
            goto out;
        }
        rc = db_prepare_v(
            db, &st, e,
            "UPDATE policy_items SET code = $2, title = $3, rule_text = $4, "
            "trigger_kind = $5, trigger_basis = $6, auto_grant = $7, "
            "amount_kind = $8, amount = $9, figure = $10, figure_year = $11, "
            "rate_bp = $12, cap = $13, tiers = $14, budget_line = $15, "
            "window_from = $16, window_to = $17, stack_group = $18, "
            "stack_rule = $19, year_cap = $20, excludes = $21, benefit = $22, "
            "status = $23, updated_at = $24 WHERE id = $1 AND policy_id = $25 "
            "RETURNING id",
            "itttttititiiittttttitttti", id, code, title, rule, tk, tb,
            (int64_t)autog, amt_codes[ak], amount, fig, fy, bp, cap, tiers_text,
            line, wf, wt, sg, sr, ycap, exc, benefit,
            status ? status : "unverified", now, policy_id);
    } else {
        rc = db_prepare_v(
            db, &st, e,
            "INSERT INTO policy_items (policy_id, code, title, rule_text, "
            "trigger_kind, trigger_basis, auto_grant, amount_kind, amount, "
            "figure, figure_year, rate_bp, cap, tiers, budget_line, "
            "window_from, window_to, stack_group, stack_rule, year_cap, "
            "excludes, benefit, status, created_at, updated_at) VALUES ($1, "
            "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
            "$16, $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id",
            "itttttititiiittttttitttt", policy_id, code, title, rule, tk, tb,
            (int64_t)autog, amt_codes[ak], amount, fig, fy, bp, cap, tiers_text,
            line, wf, wt, sg, sr, ycap, exc, benefit,
            status ? status : "unverified", now);
    }
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out_id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "政策条款不存在");
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "code", "条款编码 %s 已存在", code);
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    after = item_row_json(db, *out_id);
    rc = audit_record(db, a, id ? "policy_item.update" : "policy_item.create",
                      "policy_item", *out_id, "/", before, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    db_finalize(st);
    json_decref(before);
    json_decref(after);
    free(tiers_text);
    if (rs) {
        rule_set_free(rs);
    }
    return rc;
}

/* ---- policies ---- */

static const char *level_name(const char *l)
{
    if (!l) {
        return "";
    }
    return strcmp(l, "national") == 0   ? "国家"
           : strcmp(l, "city") == 0     ? "市"
           : strcmp(l, "district") == 0 ? "区"
                                        : l;
}

#define POLICY_COLS                                                            \
    "p.id, p.code, p.title, p.doc_no, p.issuer, p.level, p.effective_from, "   \
    "p.effective_to, p.source, p.status, p.note, p.updated_at, (SELECT "       \
    "count(*) FROM policy_items i WHERE i.policy_id = p.id AND i.status <> "   \
    "'retired')"

static json_t *policy_row_json(DbStmt *st)
{
    json_t *o = json_object();
    static const char *const keys[] = {
        "id",     "code",   "title",          "doc_no",
        "issuer", "level",  "effective_from", "effective_to",
        "source", "status", "note",           "updated_at"};

    for (int i = 0; i < 12; i++) {
        if (i == 0) {
            json_object_set_new(o, keys[i], json_integer(db_col_int64(st, 0)));
        } else {
            const char *s = db_col_text(st, i);

            json_object_set_new(o, keys[i], s ? json_string(s) : json_null());
        }
    }
    json_object_set_new(o, "level_name",
                        json_string(level_name(db_col_text(st, 5))));
    json_object_set_new(o, "status_name",
                        json_string(policy_status_name(db_col_text(st, 9))
                                        ? policy_status_name(db_col_text(st, 9))
                                        : ""));
    json_object_set_new(o, "n_items", json_integer(db_col_int64(st, 12)));
    return o;
}

int policy_list(Db *db, const char *q, const char *level, json_t **items,
                Err *e)
{
    DbStmt *st = NULL;
    char like[256];
    int rc;

    snprintf(like, sizeof like, "%%%s%%", q ? q : "");
    rc = db_prepare_v(
        db, &st, e,
        "SELECT " POLICY_COLS " FROM policies p WHERE (p.title "
        "LIKE $1 OR coalesce(p.doc_no, '') LIKE $1) AND (CAST($2 AS TEXT) IS "
        "NULL OR p.level = $2) ORDER BY p.id",
        "tt", like, level);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, policy_row_json(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return rc;
    }
    return 0;
}

int policy_get(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *o = NULL, *items;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT " POLICY_COLS " FROM policies p WHERE p.id = $1",
                      "i", id);
    if (rc) {
        return rc;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        o = policy_row_json(st);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "政策不存在");
    }
    db_finalize(st);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM policy_items WHERE policy_id = $1 ORDER "
                      "BY id",
                      "i", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *it = NULL;
        Err e2;

        err_clear(&e2);
        if (policy_item_get(db, db_col_int64(st, 0), &it, &e2) == 0) {
            json_array_append_new(items, it);
        }
    }
    db_finalize(st);
    json_object_set_new(o, "items", items);
    if (rc != DB_DONE) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int policy_save(Db *db, const Actor *a, int64_t id, json_t *body,
                int64_t *out_id, Err *e)
{
    static const char *const known[] = {
        "code",         "title",  "doc_no", "issuer", "level", "effective_from",
        "effective_to", "source", "status", "note",   NULL};
    const char *f[10] = {0};
    json_t *before = NULL, *after = NULL, *v;
    DbStmt *st = NULL;
    const char *key;
    char now[32];
    int rc;

    if (a->role == ROLE_AGENT || a->role == ROLE_DEPT) {
        return err_set(e, ERR_FORBIDDEN, NULL, "政策池由区科技局维护");
    }
    if (!json_is_object(body)) {
        return err_set(e, ERR_INVALID, NULL, "请求体必须是 JSON 对象");
    }
    json_object_foreach(body, key, v)
    {
        int ok = 0;

        for (int i = 0; known[i]; i++) {
            ok |= strcmp(known[i], key) == 0;
        }
        if (!ok) {
            return err_set(e, ERR_INVALID, key, "未知字段：%s", key);
        }
    }
    for (int i = 0; known[i]; i++) {
        if ((rc = opt_str(body, known[i], i == 7 || i == 9 ? 2000 : 200, &f[i],
                          e))) {
            return rc;
        }
    }
    if ((rc = check_code(f[0], "code", e))) {
        return rc;
    }
    if (!f[1]) {
        return err_set(e, ERR_INVALID, "title", "请填写政策名称");
    }
    if (!f[4] || (strcmp(f[4], "national") != 0 && strcmp(f[4], "city") != 0 &&
                  strcmp(f[4], "district") != 0)) {
        return err_set(
            e, ERR_INVALID, "level",
            "层级应为 national（国家）、city（市）或 district（区）");
    }
    if ((rc = check_date(f[5], "effective_from", e)) ||
        (rc = check_date(f[6], "effective_to", e))) {
        return rc;
    }
    if (f[8] && !policy_status_name(f[8])) {
        return labels_refuse(e, "status", "状态", policy_statuses_json(), NULL);
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    if (id) {
        rc = policy_get(db, id, &before, e);
        if (rc) {
            goto out;
        }
        json_object_del(before, "items");
        rc = db_prepare_v(
            db, &st, e,
            "UPDATE policies SET code = $2, title = $3, doc_no = $4, issuer = "
            "$5, level = $6, effective_from = $7, effective_to = $8, source = "
            "$9, status = $10, note = $11, updated_at = $12 WHERE id = $1 "
            "RETURNING id",
            "ittttttttttt", id, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
            f[8] ? f[8] : "unverified", f[9], now);
    } else {
        rc = db_prepare_v(
            db, &st, e,
            "INSERT INTO policies (code, title, doc_no, issuer, level, "
            "effective_from, effective_to, source, status, note, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
            "$11, $11) RETURNING id",
            "ttttttttttt", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
            f[8] ? f[8] : "unverified", f[9], now);
    }
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out_id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "code", "政策编码 %s 已存在", f[0]);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "政策不存在");
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    rc = policy_get(db, *out_id, &after, e);
    if (rc == 0) {
        json_object_del(after, "items");
        rc = audit_record(db, a, id ? "policy.update" : "policy.create",
                          "policy", *out_id, "/", before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- draft parameters (budget sandbox) ---- */

int policy_item_apply(PolicyItem *it, json_t *changes, Err *e)
{
    static const char *const known[] = {"rule_text",  "rate",         "cap_wan",
                                        "amount_wan", "year_cap_wan", "tiers",
                                        NULL};
    const char *rule = NULL, *rate = NULL, *key;
    json_t *v;
    int64_t x = 0;
    int rc;

    if (!changes || json_is_null(changes)) {
        return 0;
    }
    if (!json_is_object(changes)) {
        return err_set(e, ERR_INVALID, "changes", "changes 应为对象");
    }
    json_object_foreach(changes, key, v)
    {
        int ok = 0;

        for (int i = 0; known[i]; i++) {
            ok |= strcmp(known[i], key) == 0;
        }
        if (!ok) {
            return err_set(e, ERR_INVALID, key, "未知参数：%s", key);
        }
    }
    if ((rc = opt_str(changes, "rule_text", POLICY_RULE_TEXT_MAX, &rule, e)) ||
        (rc = opt_str(changes, "rate", 16, &rate, e))) {
        return rc;
    }
    if (rate) {
        if (it->amount_kind != POLICY_AMT_PERCENT) {
            return err_set(e, ERR_INVALID, "rate", "该条款不是按比例计算");
        }
        if ((rc = parse_rate(rate, &x, e))) {
            return rc;
        }
        it->rate_bp = x;
    }
    if (json_object_get(changes, "cap_wan")) {
        if ((rc = opt_wan(changes, "cap_wan", &x, e))) {
            return rc;
        }
        it->cap = x;
    }
    if (json_object_get(changes, "year_cap_wan")) {
        if ((rc = opt_wan(changes, "year_cap_wan", &x, e))) {
            return rc;
        }
        it->year_cap = x;
    }
    if (json_object_get(changes, "amount_wan")) {
        if (it->amount_kind != POLICY_AMT_FIXED &&
            it->amount_kind != POLICY_AMT_PER_EVENT) {
            return err_set(e, ERR_INVALID, "amount_wan",
                           "该条款不是固定金额或按事件计");
        }
        if ((rc = opt_wan(changes, "amount_wan", &x, e))) {
            return rc;
        }
        it->amount = x;
    }
    if (json_object_get(changes, "tiers")) {
        if (it->amount_kind != POLICY_AMT_TIERED) {
            return err_set(e, ERR_INVALID, "tiers", "该条款不是分档金额");
        }
        if ((rc = tiers_from_json(json_object_get(changes, "tiers"), it, e))) {
            return rc;
        }
    }
    if (rule) {
        RuleSet *rs = NULL;

        if ((rc = rule_set_parse("rule_text", rule, strlen(rule), &rs, e))) {
            return err_set(e, rc, "rule_text", "%s", e->msg);
        }
        policy_item_release(it);
        it->rs = rs;
    }
    return 0;
}
