/* plan_eval.c - quarterly evaluation and forecast (plan_eval.h). */
#include "domain/plan/plan_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/cultivation/pipe_count.h"
#include "domain/cultivation/pipeline.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_count.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_kind.h"
#include "domain/plan/plan_task.h"

#define PLAN_EVAL_MAX_UNITS 500

/* the task statuses of labels.c, each with its default points */
static const char *const plan_statuses[] = {"on_track", "at_risk", "late",
                                            "done"};
static const int plan_default_points[] = {100, 60, 0, 100};

static json_t *plan_scheme_default(void)
{
    return json_pack("{sisis{sisisisi}}", "indicator", 60, "task", 40, "status",
                     "on_track", 100, "at_risk", 60, "late", 0, "done", 100);
}

/* Validate weights; returns a normalised copy or NULL with e set. */
static json_t *plan_scheme_check(json_t *w, Err *e)
{
    json_t *st = json_object_get(w, "status");
    json_int_t wi;
    json_int_t wt;
    json_t *out;

    if (!json_is_object(w) ||
        !json_is_integer(json_object_get(w, "indicator")) ||
        !json_is_integer(json_object_get(w, "task"))) {
        err_set(
            e, ERR_INVALID, "weights",
            "评分方案应含整数权重 indicator（指标完成）和 task（任务状态）");
        return NULL;
    }
    wi = json_integer_value(json_object_get(w, "indicator"));
    wt = json_integer_value(json_object_get(w, "task"));
    if (wi < 0 || wi > 100 || wt < 0 || wt > 100 || wi + wt == 0) {
        err_set(e, ERR_INVALID, "weights",
                "权重应在 0～100 之间，且不能都为 0");
        return NULL;
    }
    out = json_pack("{sIsIs{}}", "indicator", wi, "task", wt, "status");
    for (int i = 0; i < 4; i++) {
        json_t *v = st ? json_object_get(st, plan_statuses[i]) : NULL;
        json_int_t pts = plan_default_points[i];

        if (v) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 100) {
                json_decref(out);
                err_set(e, ERR_INVALID, "weights",
                        "任务状态“%s”的得分应为 0～100 的整数",
                        labels_plan_task_status(plan_statuses[i]));
                return NULL;
            }
            pts = json_integer_value(v);
        }
        json_object_set_new(json_object_get(out, "status"), plan_statuses[i],
                            json_integer(pts));
    }
    return out;
}

int plan_scheme_add(Db *db, const Actor *a, int64_t plan_id, json_t *weights,
                    int64_t *version_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *w = NULL;
    char *text = NULL;
    PlanRow p;
    int rc;

    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        return rc;
    }
    w = plan_scheme_check(weights, e);
    if (!w) {
        return ERR_INVALID;
    }
    text = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_query_int64(db, version_out, e,
                            "SELECT COALESCE(MAX(version), 0) + 1 FROM "
                            "plan_schemes WHERE plan_id = $1",
                            "i", plan_id);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO plan_schemes (plan_id, version, weights, "
                       "created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                       "iitit", plan_id, *version_out, text, a->user_id, now);
    }
    if (rc == 0) {
        json_t *after = json_pack("{sIsO}", "version", (json_int_t)*version_out,
                                  "weights", w);

        rc = audit_record(db, a, "plan.scheme.create", "plan", plan_id,
                          p.issuer_path, NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    free(text);
    json_decref(w);
    return rc;
}

int plan_scheme_get(Db *db, int64_t plan_id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT version, weights FROM plan_schemes WHERE "
                      "plan_id = $1 ORDER BY version DESC LIMIT 1",
                      "i", plan_id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        json_t *w = json_loads(db_col_text(st, 1), 0, NULL);

        *out = json_pack("{sIso}", "version", (json_int_t)db_col_int64(st, 0),
                         "weights", w ? w : plan_scheme_default());
        rc = 0;
    } else if (rc == DB_DONE) {
        *out =
            json_pack("{siso}", "version", 0, "weights", plan_scheme_default());
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* One unit being scored. */
typedef struct EvalUnit {
    int64_t id;
    char name[256];
    int64_t ind_sum; /* completion bp, capped at 10000 */
    int n_ind;
    int64_t task_sum; /* points */
    int n_task;
} EvalUnit;

static EvalUnit *eval_unit(EvalUnit *u, size_t *n, int64_t id, const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if (u[i].id == id) {
            return &u[i];
        }
    }
    if (*n >= PLAN_EVAL_MAX_UNITS) {
        return NULL;
    }
    memset(&u[*n], 0, sizeof u[*n]);
    u[*n].id = id;
    snprintf(u[*n].name, sizeof u[*n].name, "%s", name ? name : "");
    return &u[(*n)++];
}

static int eval_cmp(const void *x, const void *y)
{
    const json_t *a = *(json_t *const *)x;
    const json_t *b = *(json_t *const *)y;
    json_int_t sa = json_integer_value(json_object_get(a, "score_bp"));
    json_int_t sb = json_integer_value(json_object_get(b, "score_bp"));

    return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* Compute the result JSON of the evaluation. */
static int plan_eval_compute(Db *db, const Actor *a, const PlanRow *p,
                             const char *date, json_t *weights, json_t **out,
                             Err *e)
{
    EvalUnit *units = calloc(PLAN_EVAL_MAX_UNITS, sizeof *units);
    json_t *fig = NULL;
    json_t *tasks = NULL;
    json_t *rows = json_array();
    json_int_t wi = json_integer_value(json_object_get(weights, "indicator"));
    json_int_t wt = json_integer_value(json_object_get(weights, "task"));
    json_t *pts = json_object_get(weights, "status");
    size_t n = 0;
    size_t i;
    json_t *it;
    int rc;

    rc = plan_figures(db, a, p->id, date, &fig, e);
    if (rc == 0) {
        rc = plan_tasks_list(db, a, p->id, 0, &tasks, e);
    }
    if (rc) {
        goto out;
    }
    json_array_foreach(json_object_get(fig, "indicators"), i, it)
    {
        size_t j;
        json_t *uf;

        json_array_foreach(json_object_get(it, "units"), j, uf)
        {
            json_t *bp = json_object_get(uf, "completion_bp");
            EvalUnit *u;

            if (!json_is_integer(json_object_get(uf, "target_e4"))) {
                continue;
            }
            u = eval_unit(units, &n,
                          json_integer_value(json_object_get(uf, "unit_id")),
                          json_string_value(json_object_get(uf, "unit_name")));
            if (!u) {
                continue;
            }
            /* no figure yet counts as 0 % done */
            u->ind_sum += json_is_integer(bp) ? (json_integer_value(bp) > 10000
                                                     ? 10000
                                                     : json_integer_value(bp))
                                              : 0;
            u->n_ind++;
        }
    }
    json_array_foreach(tasks, i, it)
    {
        const char *status = PLAN_TASK_ON_TRACK;
        char why[256];
        size_t j;
        json_t *tu;

        rc = plan_task_status(db, json_integer_value(json_object_get(it, "id")),
                              date, &status, why, sizeof why, e);
        if (rc) {
            goto out;
        }
        json_array_foreach(json_object_get(it, "units"), j, tu)
        {
            EvalUnit *u = eval_unit(
                units, &n, json_integer_value(json_object_get(tu, "unit_id")),
                json_string_value(json_object_get(tu, "unit_name")));

            if (u) {
                u->task_sum += json_integer_value(json_object_get(pts, status));
                u->n_task++;
            }
        }
    }
    for (i = 0; i < n; i++) {
        EvalUnit *u = &units[i];
        /* parts in basis points (10000 = 100 points) */
        int64_t ind_bp = u->n_ind ? u->ind_sum / u->n_ind : 0;
        int64_t task_bp = u->n_task ? u->task_sum * 100 / u->n_task : 0;
        int64_t w1 = u->n_ind ? wi : 0;
        int64_t w2 = u->n_task ? wt : 0;
        int64_t score = w1 + w2 ? (ind_bp * w1 + task_bp * w2) / (w1 + w2) : 0;
        json_t *o =
            json_pack("{sIsssIsisIsisI}", "unit_id", (json_int_t)u->id,
                      "unit_name", u->name, "indicator_bp", (json_int_t)ind_bp,
                      "indicators", u->n_ind, "task_bp", (json_int_t)task_bp,
                      "tasks", u->n_task, "score_bp", (json_int_t)score);

        if (!u->n_ind) {
            json_object_set_new(o, "indicator_bp", json_null());
        }
        if (!u->n_task) {
            json_object_set_new(o, "task_bp", json_null());
        }
        json_array_append_new(rows, o);
    }
    if (json_array_size(rows) > 1) {
        json_t **v = malloc(json_array_size(rows) * sizeof(json_t *));
        size_t k;

        for (k = 0; k < json_array_size(rows); k++) {
            v[k] = json_incref(json_array_get(rows, k));
        }
        qsort((void *)v, k, sizeof(json_t *), eval_cmp);
        json_array_clear(rows);
        for (size_t m = 0; m < k; m++) {
            json_array_append_new(rows, v[m]);
        }
        free(v);
    }
    {
        json_int_t prev = -1;
        int rank = 0;

        json_array_foreach(rows, i, it)
        {
            json_int_t s = json_integer_value(json_object_get(it, "score_bp"));

            if (s != prev) {
                rank = (int)i + 1;
                prev = s;
            }
            json_object_set_new(it, "rank", json_integer(rank));
        }
    }
    *out =
        json_pack("{sssOso}", "date", date, "weights", weights, "units", rows);
    rows = NULL;
out:
    json_decref(rows);
    json_decref(fig);
    json_decref(tasks);
    free(units);
    return rc;
}

int plan_eval_run(Db *db, const Actor *a, int64_t plan_id, const char *quarter,
                  json_t **out, Err *e)
{
    char d0[11];
    char d1[11];
    char now[CLOCK_ISO_LEN];
    json_t *scheme = NULL;
    json_t *res = NULL;
    char *text = NULL;
    int64_t version = 0;
    int64_t id = 0;
    PlanRow p;
    int year = 0;
    int rc;

    *out = NULL;
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0) {
        rc = plan_period_parse(quarter, "quarter", &year, d0, d1, "quarter", e);
    }
    if (rc == 0) {
        rc = plan_year_check(year, p.year_from, p.year_to, 0, "quarter", "", e);
    }
    if (rc == 0) {
        rc = plan_scheme_get(db, plan_id, &scheme, e);
    }
    if (rc == 0) {
        rc = plan_eval_compute(db, a, &p, d1,
                               json_object_get(scheme, "weights"), &res, e);
    }
    if (rc) {
        goto out;
    }
    text = json_dumps(res, JSON_COMPACT);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_query_int64(db, &version, e,
                            "SELECT COALESCE(MAX(version), 0) + 1 FROM "
                            "plan_evals WHERE plan_id = $1 AND quarter = $2",
                            "it", plan_id, quarter);
    }
    if (rc == 0) {
        rc = db_query_int64(
            db, &id, e,
            "INSERT INTO plan_evals (plan_id, quarter, version, "
            "scheme_version, status, result, created_by, created_at) VALUES "
            "($1, $2, $3, $4, 'draft', $5, $6, $7) RETURNING id",
            "itiitit", plan_id, quarter, version,
            (int64_t)json_integer_value(json_object_get(scheme, "version")),
            text, a->user_id, now);
    }
    if (rc == 0) {
        json_t *after = json_pack(
            "{sssIsI}", "quarter", quarter, "version", (json_int_t)version,
            "units",
            (json_int_t)json_array_size(json_object_get(res, "units")));

        rc = audit_record(db, a, "plan.eval.run", "plan", plan_id,
                          p.issuer_path, NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    *out = json_pack("{sIsssIsIsssO}", "id", (json_int_t)id, "quarter", quarter,
                     "version", (json_int_t)version, "scheme_version",
                     json_integer_value(json_object_get(scheme, "version")),
                     "status", "draft", "result", res);
out:
    free(text);
    json_decref(scheme);
    json_decref(res);
    return rc;
}

int plan_eval_publish(Db *db, const Actor *a, int64_t id, Err *e)
{
    char now[CLOCK_ISO_LEN];
    int64_t plan_id = 0;
    char *quarter = NULL;
    PlanRow p;
    int rc;

    rc =
        db_query_int64(db, &plan_id, e,
                       "SELECT plan_id FROM plan_evals WHERE id = $1", "i", id);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "id", "评价不存在");
    }
    if (rc == 0) {
        rc = plan_load(db, plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_evals SET status = 'published', "
                       "published_by = $1, published_at = $2 WHERE id = $3 "
                       "AND status = 'draft'",
                       "iti", a->user_id, now, id);
    }
    if (rc == 0 && db_changes(db) == 0) {
        rc = err_set(e, ERR_CONFLICT, "id", "该评价已发布（已冻结）");
    }
    if (rc == 0) {
        rc = db_query_text(db, &quarter, e,
                           "SELECT quarter FROM plan_evals WHERE id = $1", "i",
                           id);
    }
    if (rc == 0) {
        json_t *after =
            json_pack("{sIss}", "eval_id", (json_int_t)id, "quarter", quarter);

        rc = audit_record(db, a, "plan.eval.publish", "plan", plan_id,
                          p.issuer_path, NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    free(quarter);
    return rc;
}

int plan_evals_list(Db *db, const Actor *a, int64_t plan_id, json_t **items,
                    Err *e)
{
    DbStmt *st = NULL;
    PlanRow p;
    int rc;

    (void)a;
    *items = json_array();
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, quarter, version, scheme_version, "
                          "status, created_at, published_at, result FROM "
                          "plan_evals WHERE plan_id = $1 ORDER BY quarter "
                          "DESC, version DESC",
                          "i", plan_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *o = plan_row_json(st, "isiisss");
        json_t *r = json_loads(db_col_text(st, 7), 0, NULL);

        json_object_set_new(o, "result", r ? r : json_object());
        json_array_append_new(*items, o);
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int plan_period_frozen(Db *db, int64_t plan_id, const char *period, int *frozen,
                       Err *e)
{
    char q[16];
    const char *p = NULL;
    int64_t y = plan_digits(period, 4, &p);
    int64_t m;
    int64_t n = 0;
    int rc;

    *frozen = 0;
    if (y < 0 || p != period + 4) {
        return 0;
    }
    if (*p == 'Q') {
        snprintf(q, sizeof q, "%.6s", period);
    } else if (*p == '-' && (m = plan_digits(p + 1, 2, NULL)) >= 1 && m <= 12) {
        snprintf(q, sizeof q, "%04dQ%d", (int)y, (int)(m - 1) / 3 + 1);
    } else {
        return 0;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM plan_evals WHERE plan_id = $1 "
                        "AND quarter = $2 AND status = 'published'",
                        "it", plan_id, q);
    *frozen = n > 0;
    return rc;
}

/* The pipeline's share of a forecast: for each stage still open on date
 * in tier's batches of that year, count x the share of earlier years'
 * entries at that stage that were certified; a stage without history adds
 * nothing and says so in assume. Appends {stage, count, rate, expected,
 * history} to stages; *pipe_e4 gets the sum (value_e4, rounded down per
 * stage). */
static int plan_forecast_pipeline(Db *db, const char *tier, const char *date,
                                  json_t *stages, json_t *assume,
                                  int64_t *pipe_e4, Err *e)
{
    PipeStageForecast fs[8];
    size_t n = 0;
    int rc;

    rc = pipe_forecast_stages(db, tier, date, NULL, fs, 8, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const PipeStageForecast *f = &fs[i];
        char hist[128];
        char r[PLAN_VALUE_TEXT];
        char x[PLAN_VALUE_TEXT];
        int64_t rate_e4;
        int64_t ex;

        if (f->count == 0) {
            continue;
        }
        snprintf(hist, sizeof hist,
                 "往年批次到过该阶段 %lld 家，其中 %lld 家获认定",
                 (long long)f->hist_entries, (long long)f->hist_certified);
        if (f->hist_entries == 0) {
            char line[256];

            snprintf(line, sizeof line,
                     "“%s”的 %lld 家未计入：往年批次没有到过该阶段的企业，"
                     "没有转化率",
                     f->name, (long long)f->count);
            json_array_append_new(assume, json_string(line));
            json_array_append_new(
                stages, json_pack("{sssIsossss}", "stage", f->name, "count",
                                  (json_int_t)f->count, "rate", json_null(),
                                  "expected", "0", "history", hist));
            continue;
        }
        rate_e4 = f->hist_certified * 100 * PLAN_SCALE / f->hist_entries;
        ex = f->count * rate_e4 / 100;
        *pipe_e4 += ex;
        plan_value_format(rate_e4, r);
        plan_value_format(ex, x);
        json_array_append_new(stages,
                              json_pack("{sssIssssss}", "stage", f->name,
                                        "count", (json_int_t)f->count, "rate",
                                        r, "expected", x, "history", hist));
    }
    return rc;
}

int plan_forecast(Db *db, const Actor *a, int64_t ind_id, const char *date,
                  int64_t renew_e4, const PlanPipeStage *pipe, size_t n_pipe,
                  json_t **out, Err *e)
{
    char end[16];
    char v[PLAN_VALUE_TEXT];
    json_t *fig = NULL;
    json_t *stages = json_array();
    json_t *assume = json_array();
    char *source = NULL;
    char *params = NULL;
    PlanRow p;
    PlanInd ind;
    int64_t current = 0;
    int64_t lapsing = 0;
    int64_t renewed_e4;
    int64_t pipe_e4 = 0;
    int64_t forecast;
    int from_pipeline = 0;
    int rc;

    *out = NULL;
    rc = plan_ind_load(db, ind_id, &ind, e);
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0 && ind.kind != PLAN_KIND_STOCK) {
        rc = err_set(e, ERR_INVALID, "indicator_id",
                     "只能预测存量指标（%s指标没有年末时点值）",
                     plan_kind_name(ind.kind));
    }
    if (rc == 0 && (renew_e4 < 0 || renew_e4 > (int64_t)100 * PLAN_SCALE)) {
        rc = err_set(e, ERR_INVALID, "renew", "续期比例应在 0～100 之间");
    }
    if (rc == 0) {
        rc = plan_figure(db, a, ind_id, date, 0, 0, &fig, e);
    }
    if (rc == 0 &&
        strcmp(json_string_value(json_object_get(fig, "status")), "ok") != 0) {
        rc = err_set(e, ERR_INVALID, "indicator_id",
                     "指标当前没有由记录算出的数值（%s），无法预测",
                     json_string_value(json_object_get(fig, "message")));
    }
    if (rc == 0) {
        rc = db_query_text(db, &source, e,
                           "SELECT source FROM plan_sources WHERE "
                           "indicator_id = $1 ORDER BY version DESC LIMIT 1",
                           "i", ind_id);
    }
    if (rc == 0) {
        rc = db_query_text(db, &params, e,
                           "SELECT params FROM plan_sources WHERE "
                           "indicator_id = $1 ORDER BY version DESC LIMIT 1",
                           "i", ind_id);
    }
    if (rc) {
        goto out;
    }
    current = json_integer_value(json_object_get(fig, "value_e4")) / PLAN_SCALE;
    snprintf(end, sizeof end, "%.4s-12-31",
             json_string_value(json_object_get(fig, "date")));
    if (strcmp(source, "qual_count") == 0) {
        json_t *pj = json_loads(params, 0, NULL);

        rc = plan_count_quals_lapsing(
            db, json_string_value(json_object_get(pj, "kind")),
            json_string_value(json_object_get(fig, "date")), end, NULL,
            &lapsing, e);
        json_decref(pj);
    } else if (strcmp(source, "ip_invention") == 0) {
        rc = plan_count_patents_lapsing(
            db, json_string_value(json_object_get(fig, "date")), end, NULL,
            &lapsing, e);
    } else {
        rc = err_set(e, ERR_INVALID, "indicator_id",
                     "只能预测由资质登记或知识产权计算的指标");
    }
    if (rc) {
        goto out;
    }
    /* exact: counts x rates in value_e4 (count x rate_e4 / 100) */
    renewed_e4 = lapsing * renew_e4 / 100;
    if (n_pipe == 0 && strcmp(source, "qual_count") == 0) {
        /* the tier's pipeline on the date, each stage at the conversion
         * rate its stage had in earlier years' batches */
        json_t *pj = json_loads(params, 0, NULL);
        const char *tier = json_string_value(json_object_get(pj, "kind"));

        if (pipe_tier_valid(tier)) {
            rc = plan_forecast_pipeline(
                db, tier, json_string_value(json_object_get(fig, "date")),
                stages, assume, &pipe_e4, e);
            from_pipeline = 1;
        }
        json_decref(pj);
        if (rc) {
            goto out;
        }
    }
    for (size_t i = 0; i < n_pipe; i++) {
        int64_t ex = pipe[i].count * pipe[i].rate_e4 / 100;
        char r[PLAN_VALUE_TEXT];
        char x[PLAN_VALUE_TEXT];

        pipe_e4 += ex;
        plan_value_format(pipe[i].rate_e4, r);
        plan_value_format(ex, x);
        json_array_append_new(stages,
                              json_pack("{sssIssss}", "stage", pipe[i].stage,
                                        "count", (json_int_t)pipe[i].count,
                                        "rate", r, "expected", x));
    }
    forecast =
        current * PLAN_SCALE - lapsing * PLAN_SCALE + renewed_e4 + pipe_e4;
    *out = json_pack("{sIsOssss}", "indicator_id", (json_int_t)ind_id, "date",
                     json_object_get(fig, "date"), "year_end", end, "unit",
                     ind.unit);
    json_object_set_new(*out, "current", json_integer(current));
    json_object_set_new(*out, "expiring", json_integer(lapsing));
    plan_value_format(renew_e4, v);
    json_object_set_new(*out, "renew_rate", json_string(v));
    plan_value_format(renewed_e4, v);
    json_object_set_new(*out, "renewed", json_string(v));
    json_object_set_new(*out, "pipeline", stages);
    stages = NULL;
    plan_value_format(forecast, v);
    json_object_set_new(*out, "forecast", json_string(v));
    json_object_set_new(*out, "forecast_e4", json_integer(forecast));
    {
        char tgt[PLAN_VALUE_TEXT];
        int64_t t = 0;
        int has = 0;
        DbStmt *st = NULL;

        if (db_prepare_v(
                db, &st, NULL,
                "SELECT value_e4 FROM plan_targets WHERE "
                "indicator_id = $1 AND year = $2 AND unit_id = $3 "
                "AND value_e4 IS NOT NULL",
                "iii", ind_id,
                (int64_t)json_integer_value(json_object_get(fig, "year")),
                p.issuer_unit_id) == 0 &&
            db_step(st, NULL) == DB_ROW) {
            has = 1;
            t = db_col_int64(st, 0);
        }
        db_finalize(st);
        if (has) {
            plan_value_format(t, tgt);
            json_object_set_new(*out, "target", json_string(tgt));
            plan_value_format(forecast - t, tgt);
            json_object_set_new(*out, "gap", json_string(tgt));
        } else {
            json_object_set_new(*out, "target", json_null());
            json_object_set_new(*out, "gap", json_null());
        }
    }
    {
        char line[256];

        snprintf(line, sizeof line, "%s 的数值 %lld 由当前记录算出",
                 json_string_value(json_object_get(fig, "date")),
                 (long long)current);
        json_array_append_new(assume, json_string(line));
        snprintf(line, sizeof line, "%lld 个将于 %s 前到期，假定其中 %s%% 续期",
                 (long long)lapsing, end,
                 json_string_value(json_object_get(*out, "renew_rate")));
        json_array_append_new(assume, json_string(line));
        json_array_append_new(
            assume,
            json_string(n_pipe ? "培育库各阶段的数量与转化率由使用者给出"
                        : from_pipeline
                            ? "培育库：本年度批次中各阶段的企业数（按评价日的"
                              "阶段），乘以往年批次中到过该阶段的企业后来获得"
                              "认定的比例"
                            : "未计入培育库（该资质类型没有培育批次）"));
        json_array_append_new(assume,
                              json_string("年内新认定、迁入、撤销等未在上述"
                                          "假设中的变化未计入"));
    }
    json_object_set_new(*out, "assumptions", assume);
    assume = NULL;
out:
    json_decref(fig);
    json_decref(stages);
    json_decref(assume);
    free(source);
    free(params);
    return rc;
}
