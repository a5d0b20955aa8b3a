/* elig_decisions.c - the stored decisions read back: gap text, decision
 * lists, export and counts by unit (see elig_decisions.h). */
#include "domain/eligibility/elig_decisions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "domain/accounts/org.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/ruleset.h"

/* ---- gap text ----------------------------------------------------------- */

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

/* Most matches of the trigram index a text filter checks one by one; above
 * it the scan of the enterprises in id order is the faster way. */
#define DEC_Q_CAP 5000

/* The text filter q (its LIKE pattern like) through the backend's trigram
 * index (SQLite FTS5, queries of 3+ characters; db.h): the index's matches
 * (USCC, name or former name, case folded: a superset of the LIKE's) each
 * checked with the LIKE of the scan, so the rows marked are the scan's.
 * *done = 0 when the index is not there, q is shorter, or it matches more
 * than DEC_Q_CAP enterprises: the caller then scans. */
static int mark_q_indexed(Db *db, const DecCols *c, uint8_t *hit, const char *q,
                          const char *like, int *done, Err *e)
{
    DbSearchSql sx;
    DbStmt *st = NULL;
    char m[1024], sql[512];
    int64_t hits = 0;
    int rc;

    *done = 0;
    if (utf8_count_chars(q, strlen(q)) < 3 ||
        db_search_sql(db, DB_SEARCH_TRIGRAM, &sx) != 0) {
        return 0;
    }
    db_search_query(db, DB_SEARCH_TRIGRAM, q, m, sizeof m);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM (SELECT 1 FROM %s WHERE %s $1 LIMIT $2) "
             "AS m",
             sx.table, sx.match);
    rc = db_query_int64(db, &hits, e, sql, "ti", m, (int64_t)DEC_Q_CAP + 1);
    if (rc || hits > DEC_Q_CAP) {
        return rc;
    }
    snprintf(sql, sizeof sql,
             "SELECT e.id FROM %s %s enterprises e ON e.id = %s WHERE %s $1 "
             "AND e.retired_at IS NULL AND (e.name LIKE $2 ESCAPE '\\' OR "
             "e.uscc LIKE $2 ESCAPE '\\')",
             sx.table, sx.join, sx.key, sx.match);
    rc = db_prepare_v(db, &st, e, sql, "tt", m, like);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t r = dec_cols_row(c, db_col_int64(st, 0));

        if (r >= 0) {
            hit[r] = 1;
        }
        rc = 0;
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        *done = 1;
        rc = 0;
    }
    return rc;
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
    int rc, q_done = 0;

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
        rc = mark_q_indexed(db, x->c, hit, f->q, like, &q_done, e);
    }
    if (rc == 0 && hit && !q_done) {
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
