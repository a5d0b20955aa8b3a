/* elig_store.c - explanations with next steps, what-if, screening into
 * the decisions table, decision lists and counts (see elig_store.h). */
#include "domain/elig_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/audit.h"
#include "domain/clock.h"
#include "domain/org.h"
#include "domain/ruleset.h"
#include "domain/sqlq.h"

#define ELIG_SETS_MAX 64

/* Ladders: tiers from the lowest up (rule set "tier" header values). */
static const struct {
    const char *name;
    const char *tiers[5];
} ladders[] = {
    {"科技型中小企业 → 高新技术企业", {"sme", "hnte", NULL}},
    {"雏鹰 → 瞪羚 → 科技领军 → 独角兽",
     {"chuying", "dengling", "lingjun_peiyu", "lingjun", "unicorn"}},
    {"创新型中小企业 → 专精特新 → 小巨人",
     {"innovative_sme", "zjtx", "xiaojuren", NULL}},
};
#define N_LADDERS (sizeof ladders / sizeof ladders[0])

static const char *const verdict_codes[] = {
    "", "met", "unmet", "unknown", "expert", "manual", "conflict", "info"};

static const char *verdict_code(int v)
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
static json_t *result_json(const RuleSet *rs, const RuleResult *r)
{
    json_t *o = json_object(), *rows = json_array(), *missing = json_array();
    int v = rule_result_verdict(r);

    for (int i = 0; i < rule_result_n_rows(r); i++) {
        RuleRow w;
        json_t *row;

        rule_result_row(r, i, &w);
        row = json_object();
        json_object_set_new(row, "id", json_string(w.id));
        json_object_set_new(row, "label", json_string(w.label));
        json_object_set_new(row, "depth", json_integer(w.depth));
        json_object_set_new(row, "outcome",
                            json_string(verdict_code(w.outcome)));
        json_object_set_new(row, "outcome_name",
                            json_string(w.outcome == RULE_V_INFO
                                            ? ""
                                            : rule_verdict_name(w.outcome)));
        json_object_set_new(row, "actual", json_string(w.actual));
        json_object_set_new(row, "required", json_string(w.required));
        json_object_set_new(row, "gap", json_string(w.gap));
        json_object_set_new(row, "missing", json_string(w.missing));
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
    json_object_set_new(o, "verdict", json_string(verdict_code(v)));
    json_object_set_new(o, "verdict_name", json_string(rule_verdict_name(v)));
    json_object_set_new(o, "score_lo", score_json(r, 1));
    json_object_set_new(o, "score_hi", score_json(r, 0));
    json_object_set_new(o, "rows", rows);
    json_object_set_new(o, "missing", missing);
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
            cur = json_pack("{sssssssos[]}", "criterion", w.label, "outcome",
                            verdict_code(w.outcome), "required", w.required,
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

/* The rule set of a tier among those evaluated: the latest effective. */
static int tier_index(const RuleSet **sets, int n, const char *tier)
{
    int best = -1;
    Date best_from = DATE_MIN;

    for (int i = 0; i < n; i++) {
        Date from, to;

        if (strcmp(rule_set_tier(sets[i]), tier) != 0) {
            continue;
        }
        rule_set_effective(sets[i], &from, &to);
        if (best < 0 || from > best_from) {
            best = i;
            best_from = from;
        }
    }
    return best;
}

/* Per ladder: the highest tier met and the next tier's changes. */
static json_t *ladders_json(const RuleSet **sets, RuleResult **res, int n)
{
    json_t *arr = json_array();

    for (size_t l = 0; l < N_LADDERS; l++) {
        int idx[5], nt = 0, top = -1, have = 0;
        json_t *o = json_object(), *tiers = json_array();

        for (int t = 0; t < 5 && ladders[l].tiers[t]; t++) {
            idx[nt] = tier_index(sets, n, ladders[l].tiers[t]);
            have |= idx[nt] >= 0;
            if (idx[nt] >= 0) {
                json_array_append_new(
                    tiers,
                    json_pack("{ssssss}", "tier", ladders[l].tiers[t],
                              "ruleset", rule_set_id(sets[idx[nt]]), "verdict",
                              verdict_code(rule_result_verdict(res[idx[nt]]))));
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
            next = json_pack("{sssssssssososisi}", "tier", ladders[l].tiers[t],
                             "ruleset", rule_set_id(sets[idx[t]]), "name",
                             rule_set_name(sets[idx[t]]), "verdict",
                             verdict_code(rule_result_verdict(res[idx[t]])),
                             "changes", changes, "score_options", options,
                             "n_changes", nc, "n_missing", nm);
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
                json_string(verdict_code(rule_result_verdict(b))));
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
        json_array_append_new(results, result_json(sets[i], res[i]));
    }
    date_format_iso(as_of, d);
    rule_input_hash(in, hash);
    json_object_set_new(o, "enterprise_id", json_integer(id));
    json_object_set_new(o, "as_of", json_string(d));
    json_object_set_new(o, "year", json_integer(elig_year(as_of)));
    json_object_set_new(o, "input_hash", json_string(hash));
    json_object_set_new(o, "ladders", ladders_json(sets, res, n));
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

typedef struct Screen {
    Db *db;
    const RuleSet *sets[ELIG_SETS_MAX];
    int64_t rs_ids[ELIG_SETS_MAX];
    int64_t counts[ELIG_SETS_MAX][8];
    int n;
    int64_t job_id;
    int64_t done, total;
    char as_of[DATE_ISO_SIZE];
    char now[CLOCK_ISO_LEN];
    DbStmt *ins;
    EligProgressFn progress;
    void *pud;
} Screen;

/* The compact per-row outcome record, counts and gap text of a result. */
static void summarise(const RuleResult *r, Buf *outcomes, Buf *gaps,
                      int64_t *unmet, int64_t *unknown)
{
    static const char codes[] = "?YNUEMXI";

    *unmet = *unknown = 0;
    for (int i = 0; i < rule_result_n_rows(r); i++) {
        RuleRow w;
        const char *t;

        rule_result_row(r, i, &w);
        buf_append_char(outcomes, w.outcome >= 1 && w.outcome <= 7
                                      ? codes[w.outcome]
                                      : '?');
        if (w.depth != 0) {
            /* sub-conditions only add their gaps */
        } else if (w.outcome == RULE_V_UNMET) {
            (*unmet)++;
        } else if (w.outcome == RULE_V_UNKNOWN) {
            (*unknown)++;
        }
        t = w.outcome == RULE_V_UNMET                       ? w.gap
            : w.outcome == RULE_V_CONFLICT                  ? w.label
            : (w.outcome == RULE_V_UNKNOWN && w.depth == 0) ? w.missing
                                                            : "";
        if (t[0] && gaps->len + strlen(t) + 12 <= ELIG_GAPS_MAX) {
            if (gaps->len) {
                buf_append_str(gaps, "；");
            }
            if (w.outcome == RULE_V_UNKNOWN) {
                buf_append_str(gaps, "缺：");
            }
            buf_append_str(gaps, t);
        }
    }
}

/* Sort key of "closest first": verdict class, criteria not met, criteria
 * unknown, then the higher score first. */
static int64_t rank_of(int verdict, int64_t unmet, int64_t unknown,
                       int has_score, int64_t score_hi)
{
    int64_t cls = verdict == RULE_V_MET                                  ? 0
                  : verdict == RULE_V_EXPERT || verdict == RULE_V_MANUAL ? 1
                  : verdict == RULE_V_UNMET                              ? 2
                  : verdict == RULE_V_UNKNOWN                            ? 3
                                                                         : 4;
    int64_t s = has_score ? score_hi : 0;

    s = s < 0 ? 0 : s > 999 ? 999 : s;
    unmet = unmet > 999 ? 999 : unmet;
    unknown = unknown > 999 ? 999 : unknown;
    return cls * 1000000000 + unmet * 1000000 + unknown * 1000 + (999 - s);
}

static unsigned hexval(char c)
{
    return c >= 'a' ? (unsigned)(c - 'a' + 10) : (unsigned)(c - '0');
}

static int screen_one(void *ud, int64_t id, const char *unit_path,
                      const RuleInput *in, Err *e)
{
    Screen *s = ud;
    int rc = 0;

    for (int i = 0; i < s->n && rc == 0; i++) {
        RuleResult *r = NULL;
        Buf oc, gp;
        int64_t unmet, unknown, lo = 0, hi = 0;
        int has, v;
        unsigned char h[32];
        const char *hx;

        rc = rule_eval(s->sets[i], in, &r, e);
        if (rc) {
            break;
        }
        v = rule_result_verdict(r);
        has = v != RULE_V_CONFLICT && rule_result_total(r, &lo, &hi);
        buf_init(&oc, 4096);
        buf_init(&gp, ELIG_GAPS_MAX + 64);
        summarise(r, &oc, &gp, &unmet, &unknown);
        hx = rule_result_input_hash(r);
        for (size_t k = 0; k < 32; k++) {
            h[k] =
                (unsigned char)(hexval(hx[2 * k]) << 4 | hexval(hx[2 * k + 1]));
        }
        db_reset(s->ins);
        db_bind_text(s->ins, 1, rule_set_id(s->sets[i]));
        db_bind_int64(s->ins, 2, id);
        db_bind_text(s->ins, 3, unit_path);
        db_bind_int64(s->ins, 4, v);
        db_bind_int64(s->ins, 5, rank_of(v, unmet, unknown, has, hi));
        db_bind_int64(s->ins, 6, unmet);
        db_bind_int64(s->ins, 7, unknown);
        if (has) {
            db_bind_int64(s->ins, 8, lo);
            db_bind_int64(s->ins, 9, hi);
        } else {
            db_bind_null(s->ins, 8);
            db_bind_null(s->ins, 9);
        }
        db_bind_int64(s->ins, 10, s->rs_ids[i]);
        db_bind_blob(s->ins, 11, h, sizeof h);
        db_bind_text(s->ins, 12, s->as_of);
        db_bind_text(s->ins, 13, s->now);
        if (s->job_id) {
            db_bind_int64(s->ins, 14, s->job_id);
        } else {
            db_bind_null(s->ins, 14);
        }
        db_bind_text(s->ins, 15, oc.data);
        if (gp.len) {
            db_bind_text(s->ins, 16, gp.data);
        } else {
            db_bind_null(s->ins, 16);
        }
        rc = db_step(s->ins, e);
        rc = rc == DB_DONE ? 0 : rc;
        db_reset(s->ins);
        buf_release(&oc);
        buf_release(&gp);
        if (rc == 0 && v >= 1 && v <= 7) {
            s->counts[i][v]++;
        }
        rule_result_free(r);
    }
    s->done++;
    if (s->progress && s->done % 1000 == 0 && s->done != s->total) {
        s->progress(s->pud, s->done, s->total);
    }
    return rc;
}

/* {id: {verdict name: n}} of a screening. */
static json_t *screen_counts(const Screen *s)
{
    json_t *o = json_object();

    for (int i = 0; i < s->n; i++) {
        json_t *c = json_object();

        for (int v = 1; v <= 6; v++) {
            json_object_set_new(c, verdict_code(v),
                                json_integer(s->counts[i][v]));
        }
        json_object_set_new(o, rule_set_id(s->sets[i]), c);
    }
    return o;
}

static int screen_run(Db *db, const Actor *a, const char *const *rulesets,
                      int n, Date as_of, JobRun *run, EligProgressFn progress,
                      void *pud, json_t **counts, Err *e)
{
    Screen *s = xcalloc(1, sizeof *s);
    json_t *after = NULL;
    int rc = 0, i;

    s->db = db;
    s->job_id = run ? job_id(run) : 0;
    s->progress = progress;
    s->pud = pud;
    date_format_iso(as_of, s->as_of);
    clock_now_iso(s->now, 0);
    if (n == 0) {
        rc = elig_rulesets(as_of, NULL, "rulesets", s->sets, ELIG_SETS_MAX,
                           &s->n, e);
    }
    for (i = 0; i < n && rc == 0; i++) {
        int k = 0;

        if (s->n == ELIG_SETS_MAX) {
            rc = err_set(e, ERR_TOOBIG, "rulesets", "规则集过多");
            break;
        }
        rc = elig_rulesets(as_of, rulesets[i], "rulesets", &s->sets[s->n], 1,
                           &k, e);
        for (int j = 0; rc == 0 && j < s->n; j++) {
            if (s->sets[j] == s->sets[s->n]) {
                k = 0; /* named twice */
            }
        }
        s->n += k;
    }
    if (rc) {
        goto out;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    for (i = 0; i < s->n && rc == 0; i++) {
        rc =
            db_exec_v(db, e,
                      "INSERT OR IGNORE INTO decision_rulesets (ruleset, hash) "
                      "VALUES ($1, $2)",
                      "tt", rule_set_id(s->sets[i]), rule_set_hash(s->sets[i]));
        if (rc == 0) {
            rc = db_query_int64(db, &s->rs_ids[i], e,
                                "SELECT id FROM decision_rulesets WHERE "
                                "ruleset = $1 AND hash = $2",
                                "tt", rule_set_id(s->sets[i]),
                                rule_set_hash(s->sets[i]));
        }
    }
    if (rc == 0) {
        rc = db_prepare(
            db,
            "INSERT OR REPLACE INTO decisions (ruleset, enterprise_id, "
            "unit_path, verdict, rank, unmet, unknown, score_lo, score_hi, "
            "rs_id, input_hash, as_of, evaluated_at, job_id, outcomes, gaps) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
            "$14, $15, $16)",
            &s->ins, e);
    }
    if (rc == 0 && progress) {
        rc = db_query_int64(db, &s->total, e,
                            "SELECT COUNT(*) FROM enterprises e JOIN org_units "
                            "o ON o.id = e.unit_id WHERE e.retired_at IS NULL "
                            "AND substr(o.path, 1, length($1)) = $1",
                            "t", a->unit_path);
    }
    if (rc == 0) {
        if (run) {
            job_set_phase(run, "评估中");
        }
        rc = elig_walk(db, a, as_of, run, screen_one, s, e);
    }
    for (i = 0; rc == 0 && i < s->n; i++) {
        /* retired enterprises keep no current decision */
        char hi[ACTOR_PATH_MAX + 2];

        snprintf(hi, sizeof hi, "%s~", a->unit_path);
        rc = db_exec_v(db, e,
                       "DELETE FROM decisions WHERE ruleset = $1 AND "
                       "unit_path >= $2 AND unit_path < $3 AND enterprise_id "
                       "IN (SELECT id FROM enterprises WHERE retired_at IS "
                       "NOT NULL)",
                       "ttt", rule_set_id(s->sets[i]), a->unit_path, hi);
    }
    db_finalize(s->ins);
    s->ins = NULL;
    if (rc == 0) {
        after = json_pack("{sssIso}", "as_of", s->as_of, "enterprises",
                          (json_int_t)s->done, "rulesets", screen_counts(s));
        rc = audit_record(db, a, "elig.screen", "screening", s->job_id,
                          a->unit_path, NULL, after, e);
    }
    if (rc == 0) {
        if (run) {
            job_set_phase(run, "写入中");
        }
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    if (progress) {
        progress(pud, s->done, s->total);
    }
    if (counts) {
        *counts = after;
        after = NULL;
    }
out:
    json_decref(after);
    free(s);
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
            if (strcmp(verdict, verdict_code(v)) == 0 ||
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

/* FROM + WHERE of a decision query, appended to q. */
static int dec_where(Db *db, const Actor *a, const DecFilter *f, Sqlq *q,
                     int count_only, char *path, size_t pcap, char *like,
                     size_t lcap, Err *e)
{
    char root[ACTOR_PATH_MAX];
    int k, rc;
    size_t n;

    snprintf(path, pcap / 2 - 1, "%s", a->unit_path);
    if (f->unit_id) {
        rc = unit_path_of(db, a, f->unit_id, path, pcap / 2 - 1, e);
        if (rc) {
            return rc;
        }
    }
    k = sqlq_text(q, f->ruleset);
    if (count_only && !(f->q && *f->q)) {
        /* decisions alone (covering index); decisions of retired
         * enterprises are removed by each screening */
        sqlq_addf(q, " FROM decisions d WHERE d.ruleset = $%d", k);
    } else {
        sqlq_addf(q,
                  " FROM decisions d JOIN enterprises e ON e.id = "
                  "d.enterprise_id JOIN org_units o ON o.id = e.unit_id "
                  "WHERE d.ruleset = $%d AND e.retired_at IS NULL",
                  k);
    }
    /* the whole district needs no unit condition (so the rank index
     * serves "closest first" without a sort) */
    org_root_path(db, root, sizeof root);
    if (strcmp(path, "/") == 0 || strcmp(path, root) == 0) {
        goto rest;
    }
    /* the unit subtree as a range on the path: "/1/4/" .. "/1/4/~" */
    k = sqlq_text(q, path);
    n = strlen(path);
    memcpy(path + n + 1, path, n);
    path[2 * n + 1] = '~';
    path[2 * n + 2] = '\0';
    sqlq_addf(q, " AND d.unit_path >= $%d", k);
    k = sqlq_text(q, path + n + 1);
    sqlq_addf(q, " AND d.unit_path < $%d", k);
rest:
    if (f->verdict) {
        k = sqlq_int(q, f->verdict);
        sqlq_addf(q, " AND d.verdict = $%d", k);
    }
    if (f->q && *f->q) {
        like_escape(f->q, like, lcap);
        k = sqlq_text(q, like);
        sqlq_addf(q,
                  " AND (e.name LIKE $%d ESCAPE '\\' OR e.uscc LIKE $%d "
                  "ESCAPE '\\')",
                  k, k);
    }
    return 0;
}

static const char *dec_order(const DecFilter *f)
{
    if (strcmp(f->sort, "name") == 0) {
        return " ORDER BY e.name, e.id";
    }
    if (strcmp(f->sort, "-score") == 0) {
        return " ORDER BY (d.score_hi IS NULL), d.score_hi DESC, d.rank, "
               "d.enterprise_id";
    }
    return " ORDER BY d.rank, d.enterprise_id";
}

#define DEC_COLS                                                               \
    "SELECT e.id, e.uscc, e.name, o.id, o.name, d.verdict, d.score_lo, "       \
    "d.score_hi, d.unmet, d.unknown, d.gaps, d.as_of, d.evaluated_at"

static json_t *dec_item(DbStmt *st)
{
    json_t *o = json_object();
    int v = (int)db_col_int64(st, 5);

    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "uscc", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "name", json_string(db_col_text(st, 2)));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "unit_name", json_string(db_col_text(st, 4)));
    json_object_set_new(o, "verdict", json_string(verdict_code(v)));
    json_object_set_new(o, "verdict_name", json_string(rule_verdict_name(v)));
    json_object_set_new(o, "score_lo",
                        db_col_is_null(st, 6)
                            ? json_null()
                            : json_integer(db_col_int64(st, 6)));
    json_object_set_new(o, "score_hi",
                        db_col_is_null(st, 7)
                            ? json_null()
                            : json_integer(db_col_int64(st, 7)));
    json_object_set_new(o, "unmet", json_integer(db_col_int64(st, 8)));
    json_object_set_new(o, "unknown", json_integer(db_col_int64(st, 9)));
    json_object_set_new(
        o, "gaps", json_string(db_col_text(st, 10) ? db_col_text(st, 10) : ""));
    json_object_set_new(o, "as_of", json_string(db_col_text(st, 11)));
    json_object_set_new(o, "evaluated_at", json_string(db_col_text(st, 12)));
    return o;
}

/* Run a decision query; fn gets each item. */
static int dec_query(Db *db, const Actor *a, const DecFilter *f, int64_t offset,
                     int64_t limit, int64_t *total, int64_t max_rows,
                     int (*fn)(void *, json_t *, Err *), void *ud, Err *e)
{
    char path[2 * ACTOR_PATH_MAX + 4], like[512];
    Sqlq q;
    DbStmt *st = NULL;
    int rc, k;

    sqlq_init(&q, "SELECT COUNT(*)");
    rc = dec_where(db, a, f, &q, 1, path, sizeof path, like, sizeof like, e);
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    if (rc == 0) {
        rc = db_step(st, e);
        *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        rc = rc == DB_ROW ? 0 : rc;
    }
    db_finalize(st);
    st = NULL;
    sqlq_release(&q);
    if (rc) {
        return rc;
    }
    if (max_rows && *total > max_rows) {
        return err_set(e, ERR_TOOBIG, "format",
                       "导出行数 %lld 超过上限 %lld，请缩小范围",
                       (long long)*total, (long long)max_rows);
    }
    sqlq_init(&q, DEC_COLS);
    rc = dec_where(db, a, f, &q, 0, path, sizeof path, like, sizeof like, e);
    if (rc == 0) {
        sqlq_addf(&q, "%s", dec_order(f));
        k = sqlq_int(&q, limit);
        sqlq_addf(&q, " LIMIT $%d", k);
        k = sqlq_int(&q, offset);
        sqlq_addf(&q, " OFFSET $%d", k);
        rc = sqlq_prepare(&q, db, &st, e);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *item = dec_item(st);

        rc = fn(ud, item, e);
        json_decref(item);
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
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

int elig_decisions_summary(Db *db, const Actor *a, int64_t unit_id,
                           json_t **out, Err *e)
{
    char path[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    json_t *units = json_array(), *cur = NULL;
    int64_t cur_id = -1;
    int rc = 0;

    snprintf(path, sizeof path, "%s", a->unit_path);
    if (unit_id) {
        rc = unit_path_of(db, a, unit_id, path, sizeof path, e);
    } else if (strcmp(path, "/") == 0) {
        org_root_path(db, path, sizeof path); /* the district's units */
    }
    snprintf(hi, sizeof hi, "%s~", path);
    /* Group key: the unit at the level below path (or path itself for
     * enterprises registered directly there). */
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "WITH c AS (SELECT d.ruleset, d.unit_path, d.verdict, COUNT(*) "
            "AS n FROM decisions d WHERE d.unit_path >= $1 AND d.unit_path < "
            "$2 GROUP BY d.ruleset, d.unit_path, d.verdict), "
            "g AS (SELECT CASE WHEN c.unit_path = $1 THEN $1 ELSE "
            "substr(c.unit_path, 1, length($1) + instr(substr(c.unit_path, "
            "length($1) + 1), '/')) END AS key, c.ruleset, c.verdict, c.n "
            "FROM c) "
            "SELECT o.id, o.name, g.ruleset, g.verdict, SUM(g.n) FROM g "
            "JOIN org_units o ON o.path = g.key "
            "GROUP BY o.id, o.name, g.ruleset, g.verdict "
            "ORDER BY o.path, g.ruleset, g.verdict",
            "tt", path, hi);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        const char *rs = db_col_text(st, 2);
        json_t *sets, *c;

        if (id != cur_id) {
            cur = json_pack("{sIsss{}}", "unit_id", (json_int_t)id, "unit_name",
                            db_col_text(st, 1), "rulesets");
            json_array_append_new(units, cur);
            cur_id = id;
        }
        sets = json_object_get(cur, "rulesets");
        c = json_object_get(sets, rs);
        if (!c) {
            c = json_object();
            for (int v = 1; v <= 6; v++) {
                json_object_set_new(c, verdict_code(v), json_integer(0));
            }
            json_object_set_new(sets, rs, c);
        }
        json_object_set_new(c, verdict_code((int)db_col_int64(st, 3)),
                            json_integer(db_col_int64(st, 4)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc) {
        json_decref(units);
        return rc;
    }
    *out = json_pack("{so}", "units", units);
    return 0;
}
