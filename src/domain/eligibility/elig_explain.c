/* elig_explain.c - one enterprise evaluated with explanations: the rule
 * sets in force, results as JSON, ladders with the next tier's changes,
 * what-if, and the tier / verdict / unit names they use (see
 * elig_explain.h). */
#include "domain/eligibility/elig_explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/carrier/platform.h"
#include "domain/eligibility/catalogue.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/ruleset.h"
#include "rules/ast.h" /* UN_* units of catalogue fields */
#include "rules/field.h"

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
