/* elig_decisions.c - explanations with next steps, what-if, screening into
 * the decisions table, decision lists and counts (see elig_decisions.h). */
#include "domain/eligibility/elig_decisions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/carrier/platform.h"
#include "domain/eligibility/catalogue.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/snapshot.h"
#include "rules/ast.h" /* UN_* units of catalogue fields */
#include "rules/field.h"

#define ELIG_SETS_MAX 64

/* Tiers (rule set "tier" header values) and their names, the one list the
 * API, the CLI and the UI show. */
static const struct {
    const char *code, *name;
} tier_names[] = {
    {"sme", "科技型中小企业"},
    {"hnte", "高新技术企业"},
    {"chuying", "雏鹰企业"},
    {"dengling", "瞪羚企业"},
    {"lingjun_peiyu", "科技领军（培育）"},
    {"lingjun", "科技领军企业"},
    {"liebao", "猎豹企业"},
    {"unicorn", "独角兽企业"},
    {"innovative_sme", "创新型中小企业"},
    {"zjtx", "专精特新中小企业"},
    {"xiaojuren", "专精特新“小巨人”"},
};

/* Ladders: tiers from the lowest up. */
static const struct {
    const char *name;
    const char *tiers[5];
} ladders[] = {
    {"科技型中小企业 → 高新技术企业", {"sme", "hnte", NULL}},
    {"雏鹰 → 瞪羚 → 科技领军 → 独角兽",
     {"chuying", "dengling", "lingjun_peiyu", "lingjun", "unicorn"}},
    {"创新型中小企业 → 专精特新 → 专精特新“小巨人”",
     {"innovative_sme", "zjtx", "xiaojuren", NULL}},
    /* no source says where 猎豹 stands against 瞪羚 or 领军: a ladder of
     * its own until one does */
    {"猎豹企业（天津，与雏鹰—瞪羚—领军的关系未见说明）", {"liebao", NULL}},
};
#define N_LADDERS (sizeof ladders / sizeof ladders[0])

json_t *elig_tiers_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < sizeof tier_names / sizeof tier_names[0]; i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "code", tier_names[i].code,
                                        "name", tier_names[i].name));
    }
    return arr;
}

const char *elig_tier_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof tier_names / sizeof tier_names[0];
         i++) {
        if (strcmp(tier_names[i].code, code) == 0) {
            return tier_names[i].name;
        }
    }
    return code ? code : "";
}

/* API names of the units (UN_*): the unit itself, and the value type the
 * API takes for it (as declarations and what-if overrides do). */
static const struct {
    const char *unit, *type;
} unit_names[UN__COUNT] = {
    [UN_NONE] = {"number", "integer"}, [UN_YUAN] = {"yuan", "wan_yuan"},
    [UN_USD] = {"usd", "wan_usd"},     [UN_PERSON] = {"person", "integer"},
    [UN_ITEM] = {"item", "integer"},   [UN_SCORE] = {"score", "integer"},
    [UN_RATIO] = {"ratio", "integer"}, [UN_YEARS] = {"years", "integer"},
    [UN_DAYS] = {"days", "integer"},   [UN_DATE] = {"date", "date"},
    [UN_BOOL] = {"bool", "bool"},
};

const char *elig_unit_type(int unit)
{
    return unit > 0 && unit < UN__COUNT ? unit_names[unit].type : "integer";
}

json_t *elig_rules_reference(void)
{
    json_t *fields = json_array();

    for (int i = 0; i < rule_field_count(); i++) {
        const RuleField *f = rule_field_get(i);
        int u = f->unit > 0 && f->unit < UN__COUNT ? f->unit : UN_NONE;
        json_array_append_new(
            fields, json_pack("{sssssbssss}", "name", f->name, "label",
                              f->label, "yearly", f->kind == RF_YEARLY, "type",
                              unit_names[u].type, "unit", unit_names[u].unit));
    }
    return json_pack("{soso}", "ladders", elig_ladders_ref(), "fields", fields);
}

json_t *elig_ladders_ref(void)
{
    json_t *arr = json_array();

    for (size_t l = 0; l < N_LADDERS; l++) {
        json_t *ts = json_array();
        for (int t = 0; t < 5 && ladders[l].tiers[t]; t++) {
            json_array_append_new(
                ts, json_pack("{ssss}", "tier", ladders[l].tiers[t], "name",
                              elig_tier_name(ladders[l].tiers[t])));
        }
        json_array_append_new(
            arr, json_pack("{ssso}", "name", ladders[l].name, "tiers", ts));
    }
    return arr;
}

static const char *const verdict_codes[] = {
    "", "met", "unmet", "unknown", "expert", "manual", "conflict", "info"};

const char *elig_verdict_code(int v)
{
    return v >= 1 && v <= 7 ? verdict_codes[v] : "";
}

int elig_rulesets(Date as_of, const char *id, const char *field,
                  const RuleSet **out, int cap, int *n, Err *e)
{
    const RuleSet *const *sets;
    int ns, i;

    ruleset_builtin(&sets, &ns);
    *n = 0;
    for (i = 0; i < ns; i++) {
        Date from, to;

        if (id && strcmp(rule_set_id(sets[i]), id) != 0) {
            continue;
        }
        rule_set_effective(sets[i], &from, &to);
        if (as_of < from || as_of > to) {
            if (id) {
                char d[DATE_ISO_SIZE];

                date_format_iso(as_of, d);
                return err_set(e, ERR_INVALID, field, "规则集 %s 在 %s 不适用",
                               id, d);
            }
            continue;
        }
        if (*n < cap) {
            out[(*n)++] = sets[i];
        }
    }
    if (id && *n == 0) {
        return err_set(e, ERR_INVALID, field, "没有规则集 %s", id);
    }
    return 0;
}

/* ---- explanation JSON --------------------------------------------------- */

static json_t *score_json(const RuleResult *r, int lo)
{
    int64_t a, b;

    if (rule_result_verdict(r) == RULE_V_CONFLICT ||
        !rule_result_total(r, &a, &b)) {
        return json_null();
    }
    return json_integer(lo ? a : b);
}

/* One rule set's result: verdict, score, rows, missing fields, hashes. */
/* The rule set's 口径说明, shown with every evaluation. */
static json_t *assumptions_json(const RuleSet *rs)
{
    json_t *a = json_array();

    for (int i = 0; i < rule_set_n_assumes(rs); i++) {
        json_array_append_new(a, json_string(rule_set_assume(rs, i)));
    }
    return a;
}

json_t *elig_result_json(const RuleSet *rs, const RuleResult *r)
{
    json_t *o = json_object(), *rows = json_array(), *missing = json_array();
    int v = rule_result_verdict(r);

    for (int i = 0; i < rule_result_n_rows(r); i++) {
        RuleRow w;
        json_t *row;

        rule_result_row(r, i, &w);
        if (w.idle) {
            continue; /* a question that does not arise here */
        }
        row = json_object();
        json_object_set_new(row, "id", json_string(w.id));
        json_object_set_new(row, "label", json_string(w.label));
        json_object_set_new(row, "depth", json_integer(w.depth));
        json_object_set_new(row, "outcome",
                            json_string(elig_verdict_code(w.outcome)));
        json_object_set_new(row, "outcome_name",
                            json_string(w.outcome == RULE_V_INFO
                                            ? ""
                                            : rule_verdict_name(w.outcome)));
        json_object_set_new(row, "actual", json_string(w.actual));
        json_object_set_new(row, "required", json_string(w.required));
        json_object_set_new(row, "gap", json_string(w.gap));
        json_object_set_new(row, "missing", json_string(w.missing));
        json_object_set_new(row, "not_needed", json_string(w.moot));
        json_object_set_new(row, "alternatives", json_boolean(w.alternatives));
        json_object_set_new(row, "unfixable", json_boolean(w.unfixable));
        json_object_set_new(row, "question", json_boolean(w.question));
        json_array_append_new(rows, row);
        if (w.missing[0] &&
            (w.outcome == RULE_V_UNKNOWN || w.outcome == RULE_V_CONFLICT)) {
            json_array_append_new(missing, json_string(w.missing));
        }
    }
    json_object_set_new(o, "ruleset", json_string(rule_set_id(rs)));
    json_object_set_new(o, "name", json_string(rule_set_name(rs)));
    json_object_set_new(o, "tier", json_string(rule_set_tier(rs)));
    json_object_set_new(o, "status", json_string(rule_set_status(rs)));
    json_object_set_new(o, "assumptions", assumptions_json(rs));
    json_object_set_new(o, "verdict", json_string(elig_verdict_code(v)));
    json_object_set_new(o, "verdict_name", json_string(rule_verdict_name(v)));
    json_object_set_new(o, "score_lo", score_json(r, 1));
    json_object_set_new(o, "score_hi", score_json(r, 0));
    json_object_set_new(o, "path", json_string(rule_result_path(r)));
    json_object_set_new(o, "rows", rows);
    json_object_set_new(o, "missing", missing);
    json_object_set_new(o, "not_needed", json_string(rule_result_moot(r)));
    {
        Buf rd;
        buf_init(&rd, (size_t)64 * 1024);
        rule_result_reads(r, &rd);
        json_object_set_new(o, "reads", json_string(rd.len ? rd.data : ""));
        buf_release(&rd);
    }
    json_object_set_new(o, "ruleset_hash",
                        json_string(rule_result_ruleset_hash(r)));
    json_object_set_new(o, "input_hash",
                        json_string(rule_result_input_hash(r)));
    return o;
}

/* The changes a result needs ("cheapest" as documented in
 * eligibility.md): per top-level criterion not met, its unmet
 * sub-conditions with the engine's smallest change (or, for a condition
 * without a computable change, what must become true), and the missing
 * data of criteria that are unknown. *n_changes counts the changes (a
 * criterion with none listed counts as one), *n_missing the unknown
 * criteria. Score items with a gap to their next band go to *options. */
static json_t *changes_json(const RuleResult *r, int *n_changes, int *n_missing,
                            json_t **options)
{
    json_t *arr = json_array();
    json_t *cur = NULL;
    int n = rule_result_n_rows(r), cur_n = 0, cur_unmet = 0;
    int cur_sub = 0, cur_sub_unmet = 0; /* direct sub-conditions */

    *n_changes = *n_missing = 0;
    *options = json_array();
    for (int i = 0; i <= n; i++) {
        RuleRow w = {0}, nx;
        int leaf;

        if (i < n) {
            rule_result_row(r, i, &w);
        }
        if (i == n || w.depth == 0) {
            if (cur && cur_unmet) {
                /* every sub-condition unmet: read as alternatives (an
                 * "any" group), one of them suffices */
                int alt = cur_n > 1 && cur_sub == cur_sub_unmet;

                json_object_set_new(cur, "alternatives", json_boolean(alt));
                *n_changes += alt ? 1 : cur_n ? cur_n : 1;
            }
            cur = NULL;
            cur_n = cur_sub = cur_sub_unmet = 0;
            if (i == n) {
                break;
            }
            if (w.outcome == RULE_V_INFO && w.gap[0]) {
                json_array_append_new(*options, json_string(w.gap));
            }
            if (w.outcome != RULE_V_UNMET && w.outcome != RULE_V_UNKNOWN) {
                continue;
            }
            cur =
                json_pack("{sssssssos[]}", "criterion", w.label, "outcome",
                          elig_verdict_code(w.outcome), "required", w.required,
                          "missing", json_string(w.missing), "gaps");
            json_array_append_new(arr, cur);
            cur_unmet = w.outcome == RULE_V_UNMET;
            *n_missing += !cur_unmet;
            if (w.gap[0] && cur_unmet) {
                json_array_append_new(json_object_get(cur, "gaps"),
                                      json_string(w.gap));
                cur_n++;
            }
            continue;
        }
        if (cur && w.depth == 1 && w.outcome != RULE_V_INFO) {
            cur_sub++;
            cur_sub_unmet += w.outcome == RULE_V_UNMET;
        }
        if (!cur || w.outcome != RULE_V_UNMET) {
            continue;
        }
        leaf = 1;
        if (i + 1 < n) {
            rule_result_row(r, i + 1, &nx);
            leaf = nx.depth <= w.depth;
        }
        if (w.gap[0]) {
            json_array_append_new(json_object_get(cur, "gaps"),
                                  json_string(w.gap));
            cur_n++;
        } else if (leaf) {
            char buf[600];

            snprintf(buf, sizeof buf, "需满足：%s", w.label);
            json_array_append_new(json_object_get(cur, "gaps"),
                                  json_string(buf));
            cur_n++;
        }
    }
    return arr;
}

/* The index among the evaluated sets of the version of tier that applies
 * on as_of (ruleset_tier_current), or -1. */
static int tier_index(const RuleSet **sets, int n, const char *tier, Date as_of)
{
    const RuleSet *cur =
        ruleset_tier_current((const RuleSet *const *)sets, n, tier, as_of);

    for (int i = 0; cur && i < n; i++) {
        if (sets[i] == cur) {
            return i;
        }
    }
    return -1;
}

/* Per ladder: the highest tier met and the next tier's changes. */
static json_t *ladders_json(const RuleSet **sets, RuleResult **res, int n,
                            Date as_of)
{
    json_t *arr = json_array();

    for (size_t l = 0; l < N_LADDERS; l++) {
        int idx[5], nt = 0, top = -1, have = 0;
        json_t *o = json_object(), *tiers = json_array();

        for (int t = 0; t < 5 && ladders[l].tiers[t]; t++) {
            idx[nt] = tier_index(sets, n, ladders[l].tiers[t], as_of);
            have |= idx[nt] >= 0;
            if (idx[nt] >= 0) {
                json_array_append_new(
                    tiers,
                    json_pack(
                        "{ssssssss}", "tier", ladders[l].tiers[t], "tier_name",
                        elig_tier_name(ladders[l].tiers[t]), "ruleset",
                        rule_set_id(sets[idx[nt]]), "verdict",
                        elig_verdict_code(rule_result_verdict(res[idx[nt]]))));
                if (rule_result_verdict(res[idx[nt]]) == RULE_V_MET) {
                    top = nt;
                }
            }
            nt++;
        }
        if (!have) {
            json_decref(o);
            json_decref(tiers);
            continue;
        }
        json_object_set_new(o, "ladder", json_string(ladders[l].name));
        json_object_set_new(o, "tiers", tiers);
        json_object_set_new(o, "highest_met",
                            top >= 0 ? json_string(ladders[l].tiers[top])
                                     : json_null());
        json_object_set_new(o, "next", json_null());
        for (int t = top + 1; t < nt; t++) {
            int nc = 0, nm = 0;
            json_t *next, *changes, *options;

            if (idx[t] < 0) {
                continue;
            }
            changes = changes_json(res[idx[t]], &nc, &nm, &options);
            next = json_pack(
                "{sssssssssssososisi}", "tier", ladders[l].tiers[t],
                "tier_name", elig_tier_name(ladders[l].tiers[t]), "ruleset",
                rule_set_id(sets[idx[t]]), "name", rule_set_name(sets[idx[t]]),
                "verdict", elig_verdict_code(rule_result_verdict(res[idx[t]])),
                "changes", changes, "score_options", options, "n_changes", nc,
                "n_missing", nm);
            json_object_set_new(o, "next", next);
            break;
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

int elig_evaluate(Db *db, int64_t id, Date as_of, const char *ruleset,
                  const char *const *overrides, int n_overrides, json_t **out,
                  Err *e)
{
    const RuleSet *sets[ELIG_SETS_MAX];
    RuleResult *res[ELIG_SETS_MAX] = {0};
    RuleInput *in = NULL, *base = NULL;
    json_t *o = NULL, *results, *baseline = NULL;
    char hash[65], d[DATE_ISO_SIZE];
    int n = 0, rc, i;

    *out = NULL;
    if (n_overrides > ELIG_OVERRIDES_MAX) {
        return err_set(e, ERR_TOOBIG, "overrides", "假设条件最多 %d 条",
                       ELIG_OVERRIDES_MAX);
    }
    rc = elig_rulesets(as_of, ruleset, "ruleset", sets, ELIG_SETS_MAX, &n, e);
    if (rc == 0) {
        rc = elig_load_input(db, id, as_of, &in, e);
    }
    if (rc) {
        return rc;
    }
    if (n_overrides > 0) {
        base = in;
        in = rule_input_clone(base);
        for (i = 0; i < n_overrides; i++) {
            Err ae;

            err_clear(&ae);
            if (rule_input_assign(in, overrides[i], &ae) != 0) {
                rc = err_set(e, ERR_INVALID, "overrides",
                             "第 %d 条假设（%s）：%s", i + 1, overrides[i],
                             ae.msg);
                snprintf(e->field, sizeof e->field, "overrides[%d]", i);
                goto out;
            }
        }
        baseline = json_object();
        for (i = 0; i < n; i++) {
            RuleResult *b = NULL;

            rc = rule_eval(sets[i], base, &b, e);
            if (rc) {
                goto out;
            }
            json_object_set_new(
                baseline, rule_set_id(sets[i]),
                json_string(elig_verdict_code(rule_result_verdict(b))));
            rule_result_free(b);
        }
    }
    results = json_array();
    o = json_object();
    json_object_set_new(o, "results", results);
    for (i = 0; i < n; i++) {
        rc = rule_eval(sets[i], in, &res[i], e);
        if (rc) {
            goto out;
        }
        {
            /* one version of each tier applies on the as-of date: the
             * ladder shows it, older ones on request */
            const RuleSet *cur = ruleset_tier_current(
                (const RuleSet *const *)sets, n, rule_set_tier(sets[i]), as_of);
            json_t *rj = elig_result_json(sets[i], res[i]);

            json_object_set_new(rj, "current", json_boolean(cur == sets[i]));
            json_object_set_new(rj, "superseded_by",
                                cur && cur != sets[i]
                                    ? json_string(rule_set_id(cur))
                                    : json_null());
            json_array_append_new(results, rj);
        }
    }
    date_format_iso(as_of, d);
    rule_input_hash(in, hash);
    json_object_set_new(o, "enterprise_id", json_integer(id));
    json_object_set_new(o, "as_of", json_string(d));
    json_object_set_new(o, "year", json_integer(elig_year(as_of)));
    json_object_set_new(o, "input_hash", json_string(hash));
    json_object_set_new(o, "ladders", ladders_json(sets, res, n, as_of));
    /* inputs derived from other registers, said in the explanation */
    {
        char *pname = NULL;
        int has = 0;
        json_t *src = json_array();

        rc = platform_rd_institution(db, id, d, &has, &pname, e);
        if (rc == 0 && has) {
            Buf b;
            buf_init(&b, 1024);
            buf_appendf(&b, "经认定的研发机构取自创新平台登记：%s", pname);
            json_array_append_new(
                src,
                json_pack("{ssss}", "field", "rd_institution", "text", b.data));
            buf_release(&b);
        }
        free(pname);
        pname = NULL;
        if (rc == 0) {
            rc = catalogue_match(db, id, &has, &pname, e);
        }
        if (rc == 0 && has) {
            int64_t declared = -1;
            Buf b;
            rc = db_query_int64(
                db, &declared, e,
                "SELECT COALESCE(MIN(value), -1) FROM enterprise_declarations "
                "WHERE enterprise_id = $1 AND field = 'prohibited_industry'",
                "i", id);
            buf_init(&b, 8192);
            buf_appendf(&b, "产品或服务属于禁止、限制和淘汰类取自行业目录：%s",
                        pname);
            if (declared == 0) {
                buf_append_str(&b, "。与申报的“否”冲突，按行业目录计为“是”，"
                                   "请核实");
            }
            json_array_append_new(src, json_pack("{sssssb}", "field",
                                                 "prohibited_industry", "text",
                                                 b.data ? b.data : "",
                                                 "conflict", declared == 0));
            buf_release(&b);
        }
        free(pname);
        json_object_set_new(o, "input_sources", src);
        if (rc) {
            goto out;
        }
    }
    if (baseline) {
        json_object_set_new(o, "baseline", baseline);
        baseline = NULL;
    }
    *out = o;
    o = NULL;
out:
    json_decref(o);
    json_decref(baseline);
    for (i = 0; i < n; i++) {
        rule_result_free(res[i]);
    }
    rule_input_free(in);
    rule_input_free(base);
    return rc;
}

/* ---- screening ---------------------------------------------------------- */

/* Append t (with prefix pre) to the gap text when it fits. */
static void gap_put(Buf *gaps, const char *pre, const char *t)
{
    if (!t[0] || gaps->len + strlen(pre) + strlen(t) + 4 > ELIG_GAPS_MAX) {
        return;
    }
    if (gaps->len) {
        buf_append_str(gaps, "；");
    }
    buf_append_str(gaps, pre);
    buf_append_str(gaps, t);
}

/* The gap text of a result, capped at ELIG_GAPS_MAX bytes:
 * - unmet criteria that no improvement can meet (the date of
 *   establishment, a listing), alone: nothing else would help;
 * - else per top-level criterion not met: the gaps of its unmet conditions
 *   (of a group of alternatives only the first with a computable change,
 *   "需满足：…" when none has one), the missing data of unknown criteria,
 *   conflicts, and for a pending one the criterion and its open question. */
void elig_gap_text(const RuleResult *r, Buf *gaps)
{
    int n = rule_result_n_rows(r), dead = 0;
    int chain[64];   /* per depth: the row and its ancestors are unfixable */
    int any_at = -1; /* depth of the alternatives group being read */
    int any_done = 0;
    int open[64]; /* per depth: the row and its ancestors are unmet */
    char questions[ELIG_GAPS_MAX + 1] = "";

    for (int i = 0; i < n; i++) {
        RuleRow w;
        rule_result_row(r, i, &w);
        if (w.question &&
            strlen(questions) + strlen(w.label) + 4 < sizeof questions) {
            if (questions[0]) {
                strcat(questions, "、");
            }
            strcat(questions, w.label);
        }
        dead |= w.depth == 0 && w.unfixable;
    }
    if (dead) {
        for (int i = 0; i < n; i++) {
            RuleRow w;
            rule_result_row(r, i, &w);
            if (w.depth >= 64) {
                continue;
            }
            chain[w.depth] =
                w.unfixable && (w.depth == 0 || chain[w.depth - 1]);
            if (chain[w.depth] && w.gap[0]) { /* a fact, not a group */
                gap_put(gaps, gaps->len ? "" : "无法通过改进达标：", w.label);
            }
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        RuleRow w;
        int under;
        rule_result_row(r, i, &w);
        if (w.idle || w.depth >= 64) {
            continue;
        }
        under = w.depth == 0 || open[w.depth - 1];
        open[w.depth] = under && w.outcome == RULE_V_UNMET;
        if (any_at >= 0 && w.depth <= any_at) {
            any_at = -1;
        }
        if (w.outcome == RULE_V_CONFLICT) {
            gap_put(gaps, "", w.label);
            continue;
        }
        if (w.depth == 0 && w.outcome == RULE_V_UNKNOWN) {
            gap_put(gaps, "缺：", w.missing);
            continue;
        }
        if (w.depth == 0 && w.outcome == RULE_V_MANUAL && !w.question) {
            char t[ELIG_GAPS_MAX * 2];
            snprintf(t, sizeof t, "%s（%s）", w.label,
                     questions[0] ? questions : "计算口径待确认");
            gap_put(gaps, "待人工确认：", t);
            continue;
        }
        if (w.outcome != RULE_V_UNMET || !under) {
            continue; /* met, or inside a criterion that is met */
        }
        if (any_at >= 0) { /* a member of a group of alternatives */
            if (!any_done && w.gap[0] && !w.unfixable) {
                gap_put(gaps, "任选其一：", w.gap);
                any_done = 1;
            }
            continue;
        }
        if (w.alternatives) {
            any_at = w.depth;
            any_done = 0;
            /* no member with a computable change: name the group */
            for (int k = i + 1; k < n; k++) {
                RuleRow m;
                rule_result_row(r, k, &m);
                if (m.depth <= w.depth) {
                    break;
                }
                if (m.outcome == RULE_V_UNMET && m.gap[0] && !m.unfixable) {
                    break;
                }
                if (k + 1 == n ||
                    (rule_result_row(r, k + 1, &m), m.depth <= w.depth)) {
                    gap_put(gaps, "需满足其一：", w.label);
                    any_done = 1;
                }
            }
            continue;
        }
        if (w.gap[0]) {
            gap_put(gaps, "", w.gap);
        } else {
            int leaf = i + 1 == n;
            if (!leaf) {
                RuleRow nx;
                rule_result_row(r, i + 1, &nx);
                leaf = nx.depth <= w.depth;
            }
            if (leaf) {
                gap_put(gaps, "需满足：", w.label);
            }
        }
    }
}

/* {id: {verdict name: n}} of a screening. */
static json_t *screen_counts(const RuleSet **sets, int n,
                             const int64_t (*counts)[8])
{
    json_t *o = json_object();

    for (int i = 0; i < n; i++) {
        json_t *c = json_object();

        for (int v = 1; v <= 6; v++) {
            json_object_set_new(c, elig_verdict_code(v),
                                json_integer(counts[i][v]));
        }
        json_object_set_new(o, rule_set_id(sets[i]), c);
    }
    return o;
}

/* The rule sets a screening names (all in force at as_of when n is 0),
 * each once. */
static int screen_sets(const char *const *rulesets, int n, Date as_of,
                       const RuleSet **sets, int *ns, Err *e)
{
    int rc = 0;

    *ns = 0;
    if (n == 0) {
        return elig_rulesets(as_of, NULL, "rulesets", sets, ELIG_SETS_MAX, ns,
                             e);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        int k = 0;

        if (*ns == ELIG_SETS_MAX) {
            return err_set(e, ERR_TOOBIG, "rulesets", "规则集过多");
        }
        rc =
            elig_rulesets(as_of, rulesets[i], "rulesets", &sets[*ns], 1, &k, e);
        for (int j = 0; rc == 0 && j < *ns; j++) {
            if (sets[j] == sets[*ns]) {
                k = 0; /* named twice */
            }
        }
        *ns += k;
    }
    return rc;
}

/* Evaluate sets over snap and store the decisions of a's scope as columns,
 * with the audit entry, in one transaction (snapshot_screen). *after gets
 * the audit payload {as_of, enterprises, rulesets: {id: {verdict: n}}}. */
static int screen_store(Db *db, const Actor *a, Snapshot *snap,
                        const RuleSet **sets, int ns, JobRun *run,
                        json_t **after, Err *e)
{
    int64_t(*cnt)[8] = NULL;
    char d[DATE_ISO_SIZE];
    int64_t done = 0;
    int rc = db_begin(db, e);

    *after = NULL;
    if (rc) {
        return rc;
    }
    if (run) {
        job_set_phase(run, "评估中");
    }
    cnt = xcalloc((size_t)ns + 1, sizeof *cnt);
    rc = snapshot_screen(db, snap, a, sets, ns, run ? job_id(run) : 0, run, cnt,
                         e);
    for (int v = 1; rc == 0 && ns > 0 && v < 8; v++) {
        done += cnt[0][v];
    }
    if (rc == 0) {
        date_format_iso(snapshot_as_of(snap), d);
        *after = json_pack("{sssIso}", "as_of", d, "enterprises",
                           (json_int_t)done, "rulesets",
                           screen_counts(sets, ns, (const int64_t(*)[8])cnt));
        rc = audit_record(db, a, "elig.screen", "screening",
                          run ? job_id(run) : 0, a->unit_path, NULL, *after, e);
    }
    if (rc == 0) {
        if (run) {
            job_set_phase(run, "写入中");
        }
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*after);
        *after = NULL;
    }
    free(cnt);
    return rc;
}

/* A screening: the library's columnar snapshot at as_of (the saved one
 * when it is in step, else rebuilt), then screen_store. */
static int screen_run(Db *db, const Actor *a, const char *const *rulesets,
                      int n, Date as_of, JobRun *run, EligProgressFn progress,
                      void *pud, json_t **counts, Err *e)
{
    const RuleSet *sets[ELIG_SETS_MAX];
    Snapshot *snap = NULL;
    char *path = NULL;
    json_t *after = NULL;
    int ns = 0, rc;

    rc = screen_sets(rulesets, n, as_of, sets, &ns, e);
    if (rc) {
        return rc;
    }
    if (run) {
        job_set_phase(run, "读取企业数据");
    }
    path = snapshot_path_for(db_location(db));
    rc = snapshot_get_run(db, path, as_of, run, &snap, e);
    if (rc == 0) {
        rc = screen_store(db, a, snap, sets, ns, run, &after, e);
    }
    if (rc) {
        goto out;
    }
    if (progress) {
        json_int_t done =
            json_integer_value(json_object_get(after, "enterprises"));
        progress(pud, (int64_t)done, (int64_t)done);
    }
    if (counts) {
        *counts = after;
        after = NULL;
    }
out:
    json_decref(after);
    snapshot_free(snap);
    free(path);
    return rc;
}

int elig_screen_snapshot(Db *db, const Actor *a, Snapshot *snap,
                         const char *const *rulesets, int n, json_t **counts,
                         Err *e)
{
    const RuleSet *sets[ELIG_SETS_MAX];
    json_t *after = NULL;
    int ns = 0;
    int rc = screen_sets(rulesets, n, snapshot_as_of(snap), sets, &ns, e);

    if (counts) {
        *counts = NULL;
    }
    if (rc == 0) {
        rc = screen_store(db, a, snap, sets, ns, NULL, &after, e);
    }
    if (rc == 0 && counts) {
        *counts = after;
        after = NULL;
    }
    json_decref(after);
    return rc;
}

int elig_screen(Db *db, const Actor *a, const char *const *rulesets, int n,
                Date as_of, JobRun *run, EligProgressFn progress, void *pud,
                json_t **counts, Err *e)
{
    if (counts) {
        *counts = NULL;
    }
    return screen_run(db, a, rulesets, n, as_of, run, progress, pud, counts, e);
}

/* Job payload of a screening. */
typedef struct ScreenJob {
    char **ids;
    int n;
    Date as_of;
} ScreenJob;

static void screen_job_free(void *p)
{
    ScreenJob *j = p;

    for (int i = 0; j && i < j->n; i++) {
        free(j->ids[i]);
    }
    if (j) {
        free(j->ids);
    }
    free(j);
}

static int screen_work(JobRun *run, Db *db, const Actor *a, void *ud, Err *e)
{
    ScreenJob *j = ud;
    json_t *counts = NULL;
    int rc;

    rc = elig_screen(db, a, (const char *const *)j->ids, j->n, j->as_of, run,
                     NULL, NULL, &counts, e);
    if (rc == 0) {
        job_set_result(run, counts);
    }
    return rc;
}

int elig_screen_start(Db *db, const char *location, const Actor *a,
                      json_t *rulesets, Date as_of, int64_t *job_id_out, Err *e)
{
    ScreenJob *j = xcalloc(1, sizeof *j);
    json_t *params = NULL;
    char d[DATE_ISO_SIZE];
    const RuleSet *one;
    int rc = 0, k;
    size_t i;

    j->as_of = as_of;
    if (rulesets && !json_is_array(rulesets)) {
        rc = err_set(e, ERR_INVALID, "rulesets", "rulesets 应为规则集编号数组");
        goto out;
    }
    if (rulesets && json_array_size(rulesets) > ELIG_SETS_MAX) {
        rc = err_set(e, ERR_TOOBIG, "rulesets", "规则集过多");
        goto out;
    }
    j->ids =
        xcalloc(rulesets ? json_array_size(rulesets) + 1 : 1, sizeof *j->ids);
    for (i = 0; rulesets && i < json_array_size(rulesets); i++) {
        const char *id = json_string_value(json_array_get(rulesets, i));

        if (!id) {
            rc = err_set(e, ERR_INVALID, "rulesets",
                         "第 %zu 个规则集编号应为文本", i + 1);
            goto out;
        }
        rc = elig_rulesets(as_of, id, "rulesets", &one, 1, &k, e);
        if (rc) {
            goto out;
        }
        j->ids[j->n++] = xstrdup(id);
    }
    date_format_iso(as_of, d);
    params = json_pack("{sssO}", "as_of", d, "rulesets",
                       rulesets ? rulesets : json_null());
    rc = job_create(db, a, "screening", params, job_id_out, e);
    if (rc == 0) {
        rc = job_start(location, *job_id_out, a, screen_work, j,
                       screen_job_free, e);
        j = NULL; /* freed by job_start */
    }
out:
    json_decref(params);
    screen_job_free(j);
    return rc;
}

/* ---- decision lists ----------------------------------------------------- */

int elig_filter_check(DecFilter *f, const char *verdict, Err *e)
{
    const RuleSet *one;
    const RuleSet *const *sets;
    int ns, found = 0;

    (void)one;
    if (!f->ruleset || !*f->ruleset) {
        return err_set(e, ERR_INVALID, "ruleset", "请指定规则集（ruleset）");
    }
    ruleset_builtin(&sets, &ns);
    for (int i = 0; i < ns; i++) {
        found |= strcmp(rule_set_id(sets[i]), f->ruleset) == 0;
    }
    if (!found) {
        return err_set(e, ERR_INVALID, "ruleset", "没有规则集 %s", f->ruleset);
    }
    f->verdict = 0;
    if (verdict && *verdict) {
        for (int v = 1; v <= 6; v++) {
            if (strcmp(verdict, elig_verdict_code(v)) == 0 ||
                strcmp(verdict, rule_verdict_name(v)) == 0) {
                f->verdict = v;
            }
        }
        if (!f->verdict) {
            return err_set(e, ERR_INVALID, "verdict",
                           "结论应为 met、unmet、unknown、expert、manual 或 "
                           "conflict");
        }
    }
    if (!f->sort || !*f->sort) {
        f->sort = "closest";
    }
    if (strcmp(f->sort, "closest") != 0 && strcmp(f->sort, "-score") != 0 &&
        strcmp(f->sort, "name") != 0) {
        return err_set(e, ERR_INVALID, "sort",
                       "排序应为 closest、-score 或 name");
    }
    if (f->q && strlen(f->q) > 200) {
        return err_set(e, ERR_INVALID, "q", "搜索文字过长");
    }
    return 0;
}

/* Unit path of unit_id when it lies in a's scope (else ERR_NOTFOUND). */
static int unit_path_of(Db *db, const Actor *a, int64_t unit_id, char *out,
                        size_t cap, Err *e)
{
    char *p = NULL;
    int rc =
        db_query_text(db, &p, e, "SELECT path FROM org_units WHERE id = $1",
                      "i", (int64_t)unit_id);

    if (rc == ERR_NOTFOUND || (rc == 0 && (!p || !actor_sees_path(a, p)))) {
        free(p);
        return err_set(e, ERR_INVALID, "unit_id", "单位不存在");
    }
    if (rc == 0) {
        snprintf(out, cap, "%s", p);
    }
    free(p);
    return rc;
}

/* Escape LIKE wildcards of q into out ('\' escape). */
static void like_escape(const char *q, char *out, size_t cap)
{
    size_t n = 0;

    out[n++] = '%';
    for (; *q && n + 4 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\') {
            out[n++] = '\\';
        }
        out[n++] = *q;
    }
    out[n++] = '%';
    out[n] = '\0';
}

/* ---- reading the stored columns ----------------------------------------- */

/* Mark the rows of c whose enterprise is among the ids sql (one id
 * column, bound to text arg when not NULL) returns. */
static int mark_ids(Db *db, const DecCols *c, uint8_t *mark, const char *sql,
                    const char *arg, Err *e)
{
    DbStmt *st = NULL;
    int rc = arg ? db_prepare_v(db, &st, e, sql, "t", arg)
                 : db_prepare_v(db, &st, e, sql, "");

    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t r = dec_cols_row(c, db_col_int64(st, 0));

        if (r >= 0) {
            mark[r] = 1;
        }
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* For each distinct unit of c: does its (current) path lie under path?
 * "" means everything. */
static int mark_units(Db *db, const DecCols *c, const char *path, uint8_t *uok,
                      Err *e)
{
    DbStmt *st = NULL;
    size_t plen = strlen(path), k = 0;
    int rc;

    if (plen == 0) {
        memset(uok, 1, c->n_units);
        return 0;
    }
    rc = db_prepare_v(db, &st, e, "SELECT id, path FROM org_units ORDER BY id",
                      "");
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        const char *p = db_col_text(st, 1);

        while (k < c->n_units && c->units[k] < id) {
            k++;
        }
        if (k < c->n_units && c->units[k] == id) {
            uok[k] = p && strncmp(p, path, plen) == 0;
        }
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* The rows of a decision list: a's scope, the filter, and enterprises not
 * retired. */
typedef struct DecSel {
    const DecCols *c;
    uint8_t *ok;
    int64_t total;
} DecSel;

static int dec_select(Db *db, const Actor *a, const DecFilter *f, DecSel *x,
                      Err *e)
{
    char path[ACTOR_PATH_MAX], root[ACTOR_PATH_MAX], like[512];
    uint8_t *uok = NULL, *gone = NULL, *hit = NULL;
    int rc;

    memset(x, 0, sizeof *x);
    snprintf(path, sizeof path, "%s", a->unit_path);
    rc = f->unit_id ? unit_path_of(db, a, f->unit_id, path, sizeof path, e) : 0;
    if (rc == 0) {
        rc = dec_cols_get(db, f->ruleset, &x->c, e);
    }
    if (rc || !x->c) {
        return rc;
    }
    org_root_path(db, root, sizeof root);
    if (strcmp(path, "/") == 0 || strcmp(path, root) == 0) {
        path[0] = '\0'; /* the whole district */
    }
    uok = xcalloc(x->c->n_units + 1, 1);
    gone = xcalloc(x->c->n + 1, 1);
    rc = mark_units(db, x->c, path, uok, e);
    if (rc == 0) {
        rc = mark_ids(db, x->c, gone,
                      "SELECT id FROM enterprises WHERE retired_at IS NOT NULL",
                      NULL, e);
    }
    if (rc == 0 && f->q && *f->q) {
        hit = xcalloc(x->c->n + 1, 1);
        like_escape(f->q, like, sizeof like);
        rc = mark_ids(db, x->c, hit,
                      /* +: a scan in id order; the partial indexes would
                       * cost a table lookup per row (10x slower at 1 M) */
                      "SELECT id FROM enterprises WHERE +retired_at IS NULL "
                      "AND (name LIKE $1 ESCAPE '\\' OR uscc LIKE $1 ESCAPE "
                      "'\\')",
                      like, e);
    }
    if (rc == 0) {
        x->ok = xmalloc(x->c->n + 1);
        for (size_t r = 0; r < x->c->n; r++) {
            x->ok[r] = uok[x->c->uix[r]] && !gone[r] &&
                       (!f->verdict || x->c->verdict[r] == f->verdict) &&
                       (!hit || hit[r]);
            x->total += x->ok[r];
        }
    }
    free(uok);
    free(gone);
    free(hit);
    return rc;
}

static void dec_sel_free(DecSel *x)
{
    free(x->ok);
    if (x->c) {
        dec_cols_release(x->c);
    }
}

/* What a page of decision items needs beyond the columns. */
typedef struct ItemCtx {
    Db *db;
    DbStmt *ent, *runq;
    const RuleSet *rs;
    EligLoader *ld;
} ItemCtx;

/* The JSON item of row r: the enterprise, its stored decision, and the
 * gaps of its data now; stale is true when the data or the rule set
 * changed since the decision and it no longer holds. */
static int dec_item(ItemCtx *k, const DecCols *c, size_t r, json_t **out,
                    Err *e)
{
    json_t *o;
    int v = c->verdict[r], rc, stale = 0;
    char as_of[DATE_ISO_SIZE] = "", at[64] = "", hash[80] = "";
    RuleInput *in = NULL;
    RuleResult *res = NULL;
    Buf gaps;
    Date d = 0;
    Err ign;

    db_reset(k->runq);
    db_bind_int64(k->runq, 1, c->run[r]);
    rc = db_step(k->runq, e);
    if (rc == DB_ROW) {
        snprintf(as_of, sizeof as_of, "%s", db_col_text(k->runq, 0));
        snprintf(at, sizeof at, "%s", db_col_text(k->runq, 1));
        snprintf(hash, sizeof hash, "%s", db_col_text(k->runq, 2));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_reset(k->runq);
    db_reset(k->ent);
    db_bind_int64(k->ent, 1, c->id[r]);
    if (rc == 0) {
        rc = db_step(k->ent, e);
    }
    if (rc != DB_ROW) {
        db_reset(k->ent);
        return rc == DB_DONE ? err_set(e, ERR_NOTFOUND, "enterprise_id",
                                       "企业 %lld 不存在", (long long)c->id[r])
                             : rc;
    }
    o = json_object();
    json_object_set_new(o, "enterprise_id", json_integer(c->id[r]));
    json_object_set_new(o, "uscc", json_string(db_col_text(k->ent, 0)));
    json_object_set_new(o, "name", json_string(db_col_text(k->ent, 1)));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(k->ent, 2)));
    json_object_set_new(o, "unit_name", json_string(db_col_text(k->ent, 3)));
    db_reset(k->ent);
    json_object_set_new(o, "verdict", json_string(elig_verdict_code(v)));
    json_object_set_new(o, "verdict_name", json_string(rule_verdict_name(v)));
    json_object_set_new(o, "score_lo",
                        c->has_score[r] ? json_integer(c->score_lo[r])
                                        : json_null());
    json_object_set_new(o, "score_hi",
                        c->has_score[r] ? json_integer(c->score_hi[r])
                                        : json_null());
    json_object_set_new(o, "unmet", json_integer(c->unmet[r]));
    json_object_set_new(o, "unknown", json_integer(c->unknown[r]));
    /* gaps are explained from the data as they are now */
    buf_init(&gaps, ELIG_GAPS_MAX + 64);
    if (date_parse(as_of, &d, "as_of", &ign) == 0 && k->rs) {
        rc = elig_loader_load(k->ld, c->id[r], d, &in, e);
        if (rc == 0) {
            rc = rule_eval(k->rs, in, &res, e);
        }
        if (rc == 0) {
            elig_gap_text(res, &gaps);
            stale = rule_result_verdict(res) != v ||
                    strcmp(hash, rule_set_hash(k->rs)) != 0;
        }
        rule_result_free(res);
        rule_input_free(in);
    }
    json_object_set_new(o, "gaps", json_string(gaps.len ? gaps.data : ""));
    json_object_set_new(o, "stale", json_boolean(stale));
    json_object_set_new(o, "as_of", json_string(as_of));
    json_object_set_new(o, "evaluated_at", json_string(at));
    buf_release(&gaps);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

static int item_ctx_init(ItemCtx *k, Db *db, const char *ruleset, Err *e)
{
    const RuleSetEntry *en = ruleset_find(ruleset_current(), ruleset);
    int rc;

    memset(k, 0, sizeof *k);
    k->db = db;
    k->rs = en ? en->rs : NULL;
    rc = db_prepare(db,
                    "SELECT e.uscc, e.name, o.id, o.name FROM enterprises e "
                    "JOIN org_units o ON o.id = e.unit_id WHERE e.id = $1",
                    &k->ent, e);
    if (rc == 0) {
        rc = elig_loader_open(db, &k->ld, e);
    }
    if (rc == 0) {
        rc = db_prepare(db,
                        "SELECT r.as_of, r.evaluated_at, s.hash FROM "
                        "decision_runs r JOIN decision_rulesets s ON s.id = "
                        "r.rs_id WHERE r.id = $1",
                        &k->runq, e);
    }
    return rc;
}

static void item_ctx_free(ItemCtx *k)
{
    elig_loader_close(k->ld);
    db_finalize(k->ent);
    db_finalize(k->runq);
}

static int dec_query_tx(Db *db, const Actor *a, const DecFilter *f,
                        int64_t offset, int64_t limit, int64_t *total,
                        int64_t max_rows, int (*fn)(void *, json_t *, Err *),
                        void *ud, Err *e);

/* Run a decision query; fn gets each item of the page. One read
 * transaction: every item is explained from the same state of the data,
 * and the per-item queries do not take and drop the read lock each. */
static int dec_query(Db *db, const Actor *a, const DecFilter *f, int64_t offset,
                     int64_t limit, int64_t *total, int64_t max_rows,
                     int (*fn)(void *, json_t *, Err *), void *ud, Err *e)
{
    int own = !db_in_tx(db);
    int rc = own ? db_begin_read(db, e) : 0;

    if (rc) {
        return rc;
    }
    rc = dec_query_tx(db, a, f, offset, limit, total, max_rows, fn, ud, e);
    if (own) {
        db_rollback(db); /* nothing was written */
    }
    return rc;
}

static int dec_query_tx(Db *db, const Actor *a, const DecFilter *f,
                        int64_t offset, int64_t limit, int64_t *total,
                        int64_t max_rows, int (*fn)(void *, json_t *, Err *),
                        void *ud, Err *e)
{
    DecSel x;
    ItemCtx k;
    DbStmt *st = NULL;
    int64_t skip = offset, left = limit;
    int rc = dec_select(db, a, f, &x, e);

    *total = x.total;
    if (rc || !x.c) {
        dec_sel_free(&x);
        return rc;
    }
    if (max_rows && x.total > max_rows) {
        dec_sel_free(&x);
        return err_set(e, ERR_TOOBIG, "format",
                       "导出行数 %lld 超过上限 %lld，请缩小范围",
                       (long long)x.total, (long long)max_rows);
    }
    rc = item_ctx_init(&k, db, f->ruleset, e);
    if (rc == 0 && strcmp(f->sort, "name") == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id FROM enterprises WHERE retired_at IS "
                          "NULL ORDER BY name, id",
                          "");
        while (rc == 0 && left > 0 && (rc = db_step(st, e)) == DB_ROW) {
            int64_t row = dec_cols_row(x.c, db_col_int64(st, 0));
            rc = 0;
            if (row < 0 || !x.ok[row]) {
                continue;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            {
                json_t *item = NULL;
                rc = dec_item(&k, x.c, (size_t)row, &item, e);
                if (rc == 0) {
                    rc = fn(ud, item, e);
                }
                json_decref(item);
                left--;
            }
        }
        rc = rc == DB_DONE || rc == DB_ROW ? 0 : rc;
    } else if (rc == 0) {
        const uint32_t *ord = dec_cols_order(x.c, strcmp(f->sort, "-score") == 0
                                                      ? DEC_ORDER_SCORE
                                                      : DEC_ORDER_CLOSEST);
        for (size_t i = 0; rc == 0 && left > 0 && i < x.c->n; i++) {
            json_t *item = NULL;
            if (!x.ok[ord[i]]) {
                continue;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            rc = dec_item(&k, x.c, ord[i], &item, e);
            if (rc == 0) {
                rc = fn(ud, item, e);
            }
            json_decref(item);
            left--;
        }
    }
    db_finalize(st);
    item_ctx_free(&k);
    dec_sel_free(&x);
    return rc;
}

static int collect(void *ud, json_t *item, Err *e)
{
    (void)e;
    json_array_append(ud, item);
    return 0;
}

int elig_decisions_list(Db *db, const Actor *a, const DecFilter *f,
                        int64_t offset, int64_t limit, json_t **items,
                        int64_t *total, Err *e)
{
    json_t *arr = json_array();
    int rc = dec_query(db, a, f, offset, limit, total, 0, collect, arr, e);

    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

int elig_decisions_each(Db *db, const Actor *a, const DecFilter *f,
                        int (*fn)(void *ud, json_t *item, Err *e), void *ud,
                        Err *e)
{
    int64_t total = 0;

    return dec_query(db, a, f, 0, ELIG_EXPORT_MAX, &total, ELIG_EXPORT_MAX, fn,
                     ud, e);
}

/* A unit of the summary: the units at the level below the path asked
 * for (or that unit itself for enterprises registered directly there). */
typedef struct Group {
    int64_t id;
    char *name, *path;
    int64_t n[ELIG_SETS_MAX][8];
    int used;
} Group;

static int groups_load(Db *db, const char *path, Group **out, int *n, Err *e)
{
    DbStmt *st = NULL;
    size_t plen = strlen(path);
    int rc = db_prepare_v(
        db, &st, e, "SELECT id, name, path FROM org_units ORDER BY path", "");
    Group *g = NULL;
    int k = 0;

    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *p = db_col_text(st, 2);
        size_t l = p ? strlen(p) : 0;
        rc = 0;
        /* path itself, or a child: path + "<seg>/" with one '/' */
        if (!p || strncmp(p, path, plen) != 0 ||
            (l > plen && memchr(p + plen, '/', l - plen - 1) != NULL)) {
            continue;
        }
        g = xrealloc(g, sizeof *g * (size_t)(k + 1));
        memset(&g[k], 0, sizeof g[k]);
        g[k].id = db_col_int64(st, 0);
        g[k].name = xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : "");
        g[k].path = xstrdup(p);
        k++;
    }
    db_finalize(st);
    *out = g;
    *n = k;
    return rc == DB_DONE ? 0 : rc;
}

/* The group of unit path p (index into g), or -1. */
static int group_of(const Group *g, int n, const char *path, const char *p)
{
    size_t plen = strlen(path);
    if (!p || strncmp(p, path, plen) != 0) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        size_t l = strlen(g[i].path);
        if (strncmp(p, g[i].path, l) == 0 &&
            (l > plen || strcmp(p, path) == 0)) {
            return i;
        }
    }
    return -1;
}

int elig_decisions_summary(Db *db, const Actor *a, int64_t unit_id,
                           json_t **out, Err *e)
{
    char path[ACTOR_PATH_MAX];
    const RuleSet *const *sets;
    const char *ids[ELIG_SETS_MAX];
    json_t *units = json_array();
    Group *g = NULL;
    int ng = 0, ns = 0, nb, rc = 0;

    snprintf(path, sizeof path, "%s", a->unit_path);
    if (unit_id) {
        rc = unit_path_of(db, a, unit_id, path, sizeof path, e);
    } else if (strcmp(path, "/") == 0) {
        org_root_path(db, path, sizeof path); /* the district's units */
    }
    if (rc == 0) {
        rc = groups_load(db, path, &g, &ng, e);
    }
    /* the rule sets by id, as the list shows them */
    ruleset_builtin(&sets, &nb);
    for (int i = 0; i < nb && ns < ELIG_SETS_MAX; i++) {
        int at = ns++;
        ids[at] = rule_set_id(sets[i]);
        while (at > 0 && strcmp(ids[at - 1], ids[at]) > 0) {
            const char *t = ids[at - 1];
            ids[at - 1] = ids[at];
            ids[at] = t;
            at--;
        }
    }
    for (int s = 0; rc == 0 && s < ns; s++) {
        const DecCols *c = NULL;
        uint8_t *gone = NULL;
        int *gix = NULL;
        DbStmt *st = NULL;

        rc = dec_cols_get(db, ids[s], &c, e);
        if (rc || !c) {
            continue;
        }
        gone = xcalloc(c->n + 1, 1);
        gix = xmalloc(sizeof *gix * (c->n_units + 1));
        for (size_t u = 0; u < c->n_units; u++) {
            gix[u] = -1;
        }
        rc = mark_ids(db, c, gone,
                      "SELECT id FROM enterprises WHERE retired_at IS NOT NULL",
                      NULL, e);
        if (rc == 0) {
            rc = db_prepare(db, "SELECT path FROM org_units WHERE id = $1", &st,
                            e);
        }
        for (size_t u = 0; rc == 0 && u < c->n_units; u++) {
            db_reset(st);
            db_bind_int64(st, 1, c->units[u]);
            rc = db_step(st, e);
            if (rc == DB_ROW) {
                gix[u] = group_of(g, ng, path, db_col_text(st, 0));
            }
            rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc;
        }
        db_finalize(st);
        for (size_t r = 0; rc == 0 && r < c->n; r++) {
            int k = gix[c->uix[r]];
            if (k >= 0 && g && !gone[r]) {
                g[k].n[s][c->verdict[r] & 7]++;
                g[k].used = 1;
            }
        }
        free(gone);
        free(gix);
        dec_cols_release(c);
    }
    for (int i = 0; rc == 0 && i < ng; i++) {
        json_t *u, *rs;
        if (!g[i].used) {
            continue;
        }
        u = json_pack("{sIsss{}}", "unit_id", (json_int_t)g[i].id, "unit_name",
                      g[i].name, "rulesets");
        rs = json_object_get(u, "rulesets");
        for (int s = 0; s < ns; s++) {
            json_t *c;
            int64_t sum = 0;
            for (int v = 1; v <= 6; v++) {
                sum += g[i].n[s][v];
            }
            if (!sum) {
                continue;
            }
            c = json_object();
            for (int v = 1; v <= 6; v++) {
                json_object_set_new(c, elig_verdict_code(v),
                                    json_integer(g[i].n[s][v]));
            }
            json_object_set_new(rs, ids[s], c);
        }
        json_array_append_new(units, u);
    }
    for (int i = 0; i < ng; i++) {
        free(g[i].name);
        free(g[i].path);
    }
    free(g);
    if (rc) {
        json_decref(units);
        return rc;
    }
    *out = json_pack("{so}", "units", units);
    return 0;
}
