/* plan_figure.c - indicator actuals, their sources and rows
 * (plan_figure.h). */
#include "domain/plan/plan_figure.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/cultivation/pipe_count.h"
#include "domain/cultivation/pipeline.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/market/contract_stats.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_count.h"
#include "domain/plan/plan_eval.h"
#include "domain/plan/plan_kind.h"
#include "domain/qual/qual.h"

#define PLAN_TREND_YEARS 16

typedef struct PlanSourceDef {
    const char *code;
    const char *name;
    int connected;      /* 0: defined, data not in kechuang yet */
    int kinds;          /* bit (1 << PLAN_KIND_*) of the kinds it may feed */
    const char *param;  /* required parameter, or NULL */
    const char *param2; /* a second required parameter, or NULL */
} PlanSourceDef;

#define K(x) (1 << (x))
static const PlanSourceDef plan_source_defs[] = {
    {"qual_count", "有效资质企业数（资质登记）", 1, K(PLAN_KIND_STOCK), "kind",
     NULL},
    {"ip_invention", "有效发明专利数（知识产权）", 1, K(PLAN_KIND_STOCK), NULL,
     NULL},
    {"contracts", "技术合同成交额（技术合同登记）", 1, K(PLAN_KIND_FLOW), NULL,
     NULL},
    {"pipeline_stage", "培育库各阶段企业数（梯度培育）", 1, K(PLAN_KIND_STOCK),
     "stage", "tier"},
    {"manual", "责任单位填报", 1,
     K(PLAN_KIND_STOCK) | K(PLAN_KIND_FLOW) | K(PLAN_KIND_RATIO), NULL, NULL},
};
#define PLAN_N_SOURCES (sizeof plan_source_defs / sizeof plan_source_defs[0])

/* Tier codes of the qualifications register (009_qualifications.sql). */
static const char *const plan_qual_kinds[] = {
    "sme",           "hnte",   "chuying", "dengling",       "lingjun",
    "lingjun_peiyu", "liebao", "unicorn", "innovative_sme", "zjtx",
    "xiaojuren"};

static const PlanSourceDef *plan_source_find(const char *code)
{
    for (size_t i = 0; code && i < PLAN_N_SOURCES; i++) {
        if (strcmp(plan_source_defs[i].code, code) == 0) {
            return &plan_source_defs[i];
        }
    }
    return NULL;
}

/* A source's parameters with the values each may take:
 * [{key, name, multiple, options: [{code, name}]}]. */
static json_t *plan_source_params_json(const PlanSourceDef *d)
{
    json_t *arr = json_array();

    if (d->param && strcmp(d->param, "kind") == 0) {
        json_t *opts = json_array();

        for (size_t i = 0;
             i < sizeof plan_qual_kinds / sizeof plan_qual_kinds[0]; i++) {
            const QualKind *k = qual_kind_find(plan_qual_kinds[i]);

            json_array_append_new(
                opts, json_pack("{ssss}", "code", plan_qual_kinds[i], "name",
                                k ? k->name : plan_qual_kinds[i]));
        }
        json_array_append_new(arr, json_pack("{sssssbso}", "key", "kind",
                                             "name", "资质类型", "multiple", 0,
                                             "options", opts));
    } else if (d->param && strcmp(d->param, "stage") == 0) {
        json_array_append_new(arr, json_pack("{sssssbso}", "key", "tier",
                                             "name", "梯度层级", "multiple", 0,
                                             "options", elig_tiers_json()));
        json_array_append_new(arr, json_pack("{sssssbso}", "key", "stage",
                                             "name", "阶段", "multiple", 1,
                                             "options", pipe_stages_json()));
    }
    return arr;
}

json_t *plan_sources_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < PLAN_N_SOURCES; i++) {
        const PlanSourceDef *d = &plan_source_defs[i];
        json_t *kinds = json_array();

        for (int k = PLAN_KIND_STOCK; k <= PLAN_KIND_RATIO; k++) {
            if (d->kinds & K(k)) {
                json_array_append_new(kinds, json_string(plan_kind_code(k)));
            }
        }
        json_array_append_new(
            arr, json_pack("{sssssbsoso?so}", "code", d->code, "name", d->name,
                           "connected", d->connected, "kinds", kinds, "param",
                           plan_json_str(d->param), "params",
                           plan_source_params_json(d)));
    }
    return arr;
}

/* The source definition of ind_id: version (0 = latest). */
typedef struct PlanSrc {
    int64_t version;
    char source[24];
    char param[PIPE_STAGES_MAX]; /* value of the definition's parameter,
                                    or "" */
    char param2[32];             /* value of its second parameter, or "" */
} PlanSrc;

static int plan_src_load(Db *db, int64_t ind_id, int64_t version, PlanSrc *s,
                         Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(s, 0, sizeof *s);
    rc = db_prepare_v(db, &st, e,
                      "SELECT version, source, params FROM plan_sources "
                      "WHERE indicator_id = $1 AND ($2 = 0 OR version = $2) "
                      "ORDER BY version DESC LIMIT 1",
                      "ii", ind_id, version);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        const PlanSourceDef *d = plan_source_find(db_col_text(st, 1));
        json_t *params = json_loads(db_col_text(st, 2), 0, NULL);
        const char *pv =
            d && d->param ? json_string_value(json_object_get(params, d->param))
                          : NULL;
        const char *pv2 =
            d && d->param2
                ? json_string_value(json_object_get(params, d->param2))
                : NULL;

        s->version = db_col_int64(st, 0);
        snprintf(s->source, sizeof s->source, "%s", db_col_text(st, 1));
        snprintf(s->param, sizeof s->param, "%s", pv ? pv : "");
        snprintf(s->param2, sizeof s->param2, "%s", pv2 ? pv2 : "");
        json_decref(params);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "version", "指标口径版本不存在");
    }
    db_finalize(st);
    return rc;
}

int plan_source_add(Db *db, const Actor *a, int64_t ind_id, const char *source,
                    json_t *params, int64_t *version_out, Err *e)
{
    const PlanSourceDef *d = plan_source_find(source);
    char now[CLOCK_ISO_LEN];
    json_t *p = params ? json_deep_copy(params) : json_object();
    json_t *after = NULL;
    char *text = NULL;
    PlanRow pl;
    PlanInd ind;
    int rc;

    rc = plan_ind_load(db, ind_id, &ind, e);
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &pl, e);
    }
    if (rc == 0) {
        rc = plan_check_owner(a, &pl, e);
    }
    if (rc) {
        goto out;
    }
    if (!d) {
        rc = err_set(e, ERR_INVALID, "source",
                     "数据来源应为 qual_count、ip_invention、contracts、"
                     "pipeline_stage 或 manual");
        goto out;
    }
    if (!(d->kinds & K(ind.kind))) {
        rc = err_set(e, ERR_INVALID, "source", "“%s”不能作为%s指标的来源",
                     d->name, plan_kind_name(ind.kind));
        goto out;
    }
    if (!json_is_object(p) ||
        json_object_size(p) > (d->param ? 1u : 0u) + (d->param2 ? 1u : 0u)) {
        rc = err_set(e, ERR_INVALID, "params", "参数应为%s",
                     d->param2  ? "只含 stage 和 tier 两个参数的对象"
                     : d->param ? "只含一个参数的对象"
                                : "空对象");
        goto out;
    }
    if (d->param2) {
        const char *t = json_string_value(json_object_get(p, d->param2));
        const char *v = json_string_value(json_object_get(p, d->param));

        if (!pipe_tier_valid(t)) {
            rc = err_set(e, ERR_INVALID, d->param2,
                         "参数 tier 缺失或不是已知的梯度层级（sme、hnte、"
                         "chuying ……）");
            goto out;
        }
        if (!pipe_stages_valid(v)) {
            rc = err_set(e, ERR_INVALID, d->param,
                         "参数 stage 缺失或有误：应为 selected、recommended、"
                         "admitted、cultivating、certified 等阶段代码，"
                         "多个用逗号分隔，不重复");
            goto out;
        }
    } else if (d->param) {
        const char *v = json_string_value(json_object_get(p, d->param));
        int ok = v && *v && strlen(v) < 32;

        if (ok && strcmp(d->code, "qual_count") == 0) {
            ok = 0;
            for (size_t i = 0;
                 i < sizeof plan_qual_kinds / sizeof plan_qual_kinds[0]; i++) {
                ok |= strcmp(v, plan_qual_kinds[i]) == 0;
            }
        }
        if (!ok) {
            rc = err_set(e, ERR_INVALID, d->param,
                         "参数 %s 缺失或不是已知的资质类型（sme、hnte、"
                         "chuying、dengling、lingjun ……）",
                         d->param);
            goto out;
        }
    }
    text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(db, version_out, e,
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM "
                        "plan_sources WHERE indicator_id = $1",
                        "i", ind_id);
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO plan_sources (indicator_id, version, "
                       "source, params, created_at, created_by) VALUES ($1, "
                       "$2, $3, $4, $5, $6)",
                       "iittti", ind_id, *version_out, d->code, text, now,
                       a->user_id);
    }
    if (rc == 0) {
        after = json_pack("{sIsssO}", "version", (json_int_t)*version_out,
                          "source", d->code, "params", p);
        rc = audit_record(db, a, "plan.source.create", "plan_indicator", ind_id,
                          pl.issuer_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out:
    free(text);
    json_decref(p);
    json_decref(after);
    return rc;
}

/* Path and name of unit id; ERR_NOTFOUND when missing. */
static int plan_unit_path(Db *db, int64_t id, char *path, size_t cap,
                          char *name, size_t ncap, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(
        db, &st, e, "SELECT path, name FROM org_units WHERE id = $1", "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        snprintf(path, cap, "%s", db_col_text(st, 0));
        if (name) {
            snprintf(name, ncap, "%s", db_col_text(st, 1));
        }
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
    }
    db_finalize(st);
    return rc;
}

enum { FIG_OK = 0, FIG_NO_DATA, FIG_NOT_CONNECTED };
static const char *const fig_status[] = {"ok", "no_data", "not_connected"};

/* Compute the actual of ind for unit (path) on date with source s. */
static int plan_compute(Db *db, const PlanInd *ind, const PlanSrc *s,
                        const PlanMemo *memo, const char *date, int64_t unit_id,
                        const char *unit_path, int *status, int64_t *value,
                        int64_t *pending, Err *e)
{
    const PlanSourceDef *d = plan_source_find(s->source);
    int64_t n = 0;
    int rc = 0;

    *status = FIG_NO_DATA;
    *value = 0;
    *pending = 0;
    if (!d || !d->connected) {
        *status = FIG_NOT_CONNECTED;
        return 0;
    }
    if (memo &&
        (strcmp(d->code, "qual_count") == 0 ||
         strcmp(d->code, "ip_invention") == 0) &&
        plan_memo_get(memo, date, unit_path, &n)) {
        rc = 0;
    } else if (strcmp(d->code, "qual_count") == 0) {
        rc = plan_count_quals(db, s->param, date, unit_path, &n, e);
    } else if (strcmp(d->code, "ip_invention") == 0) {
        rc = plan_count_patents(db, date, unit_path, &n, e);
    } else if (strcmp(d->code, "pipeline_stage") == 0) {
        rc = pipe_count_stage(db, s->param2, s->param, date, unit_path, &n, e);
    } else if (strcmp(d->code, "contracts") == 0) {
        /* the year to date under the market's convention (its default:
         * 成交额 of contracts registered in the period, seller in the
         * unit), in the indicator's money unit, to the nearest 1/10 000;
         * from the kept amounts when memo holds the date */
        char from[DATE_ISO_SIZE];
        int64_t yuan = 0;

        snprintf(from, sizeof from, "%.4s-01-01", date);
        if (strcmp(ind->unit, "亿元") != 0 && strcmp(ind->unit, "万元") != 0) {
            return err_set(e, ERR_INVALID, "source",
                           "技术合同成交额只能用于以亿元或万元计的指标");
        }
        if (!memo || !plan_memo_get(memo, date, unit_path, &yuan)) {
            rc = market_indicator_contract_amount(db, unit_id, from, date, NULL,
                                                  &yuan, NULL, e);
        }
        if (rc == 0) {
            /* PLAN_SCALE units of 亿元 are 1 万元; of 万元, 1 元 */
            *value =
                strcmp(ind->unit, "亿元") == 0 ? (yuan + 5000) / 10000 : yuan;
            *status = FIG_OK;
            return 0;
        }
    } else {
        /* manual: accepted figures of the year's periods begun by date */
        int64_t vals[16];
        size_t nv = 0;
        char pat[8];
        DbStmt *st = NULL;

        snprintf(pat, sizeof pat, "%.4s%%", date);
        rc = db_prepare_v(db, &st, e,
                          "SELECT period, value_e4, status FROM plan_actuals "
                          "WHERE indicator_id = $1 AND unit_id = $2 AND "
                          "period LIKE $3 ORDER BY period",
                          "iit", ind->id, unit_id, pat);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            char a0[11];
            char a1[11];
            int y;

            rc = 0;
            if (strcmp(db_col_text(st, 2), "submitted") == 0) {
                (*pending)++;
            }
            if (strcmp(db_col_text(st, 2), "accepted") != 0 || nv >= 16 ||
                plan_period_parse(db_col_text(st, 0),
                                  strchr(db_col_text(st, 0), 'Q') ? "quarter"
                                                                  : "month",
                                  &y, a0, a1, "period", NULL) != 0 ||
                strcmp(a0, date) > 0) {
                continue;
            }
            vals[nv++] = db_col_int64(st, 1);
        }
        if (rc == DB_DONE) {
            rc = 0;
        }
        db_finalize(st);
        if (rc == 0 && nv > 0) {
            rc = plan_value_to_date(ind->kind, vals, nv, value, e);
            *status = FIG_OK;
        }
        return rc;
    }
    if (rc == 0) {
        *status = FIG_OK;
        *value = n * PLAN_SCALE;
    }
    return rc;
}

/* Target of ind for year and unit, if any. */
static int plan_target_of(Db *db, int64_t ind_id, int year, int64_t unit_id,
                          int *has, int64_t *v, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *has = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT value_e4 FROM plan_targets WHERE indicator_id "
                      "= $1 AND year = $2 AND unit_id = $3",
                      "iii", ind_id, (int64_t)year, unit_id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        *has = !db_col_is_null(st, 0);
        *v = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

static void plan_set_value(json_t *o, const char *key, const char *key_e4,
                           int has, int64_t v)
{
    char t[PLAN_VALUE_TEXT];

    if (!has) {
        json_object_set_new(o, key, json_null());
        json_object_set_new(o, key_e4, json_null());
        return;
    }
    plan_value_format(v, t);
    json_object_set_new(o, key, json_string(t));
    json_object_set_new(o, key_e4, json_integer(v));
}

/* Check date (NULL/"" = today, local time) into iso. */
static int plan_date_arg(const char *date, char iso[DATE_ISO_SIZE], Err *e)
{
    Date d;
    int rc;

    if (!date || !*date) {
        d = date_today();
    } else {
        rc = date_parse(date, &d, "date", e);
        if (rc) {
            return rc;
        }
    }
    date_format_iso(d, iso);
    return 0;
}

/* The figure as JSON (see plan_figure); unit_id resolved, path known. */
static int plan_figure_build(Db *db, const PlanRow *p, const PlanInd *ind,
                             const PlanSrc *s, const PlanMemo *memo,
                             const char *date, int64_t unit_id,
                             const char *unit_path, const char *unit_name,
                             json_t **out, Err *e)
{
    const PlanSourceDef *d = plan_source_find(s->source);
    int year = 0;
    int status;
    int has_t = 0;
    int64_t v = 0;
    int64_t t = 0;
    int64_t pending = 0;
    json_t *o;
    int rc;

    year = (int)plan_digits(date, 4, NULL);
    rc = plan_compute(db, ind, s, memo, date, unit_id, unit_path, &status, &v,
                      &pending, e);
    if (rc == 0) {
        rc = plan_target_of(db, ind->id, year, unit_id, &has_t, &t, e);
    }
    if (rc) {
        return rc;
    }
    o = json_pack("{sIsIsssssisssIsssbsI}", "indicator_id", (json_int_t)ind->id,
                  "unit_id", (json_int_t)unit_id, "unit_name", unit_name,
                  "date", date, "year", year, "source", s->source,
                  "source_version", (json_int_t)s->version, "status",
                  fig_status[status], "drill",
                  status == FIG_OK && strcmp(s->source, "manual") != 0,
                  "pending", (json_int_t)pending);
    json_object_set_new(o, "source_name", json_string(d ? d->name : ""));
    json_object_set_new(o, "kind", json_string(plan_kind_code(ind->kind)));
    plan_set_value(o, "value", "value_e4", status == FIG_OK, v);
    plan_set_value(o, "target", "target_e4", has_t, t);
    if (status == FIG_OK && has_t) {
        int64_t bp = 0;
        Err ce;

        if (plan_completion_bp(ind->direction, v, t, &bp, &ce) == 0) {
            json_object_set_new(o, "completion_bp", json_integer(bp));
        }
    }
    if (!json_object_get(o, "completion_bp")) {
        json_object_set_new(o, "completion_bp", json_null());
    }
    json_object_set_new(o, "message",
                        json_string(status == FIG_NOT_CONNECTED ? "数据源未接入"
                                    : status == FIG_NO_DATA
                                        ? "尚无已审核的填报数据"
                                        : ""));
    *out = o;
    return 0;
}

int plan_figure(Db *db, const Actor *a, int64_t ind_id, const char *date,
                int64_t unit_id, int64_t version, json_t **out, Err *e)
{
    char iso[DATE_ISO_SIZE];
    char path[ACTOR_PATH_MAX];
    char uname[256];
    PlanRow p;
    PlanInd ind;
    PlanSrc s;
    int rc;

    *out = NULL;
    rc = plan_date_arg(date, iso, e);
    if (rc == 0) {
        rc = plan_ind_load(db, ind_id, &ind, e);
    }
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_src_load(db, ind_id, version, &s, e);
    }
    if (rc) {
        return rc;
    }
    if (unit_id == 0) {
        unit_id = p.issuer_unit_id;
    }
    rc = plan_unit_path(db, unit_id, path, sizeof path, uname, sizeof uname, e);
    if (rc) {
        return rc;
    }
    if (unit_id != p.issuer_unit_id && !actor_sees_path(a, path)) {
        return err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
    }
    return plan_figure_build(db, &p, &ind, &s, NULL, iso, unit_id, path, uname,
                             out, e);
}

/* Trend over the plan's years for the district: actual at the year's end
 * (or at date for the current year) and the target. */
static int plan_trend(Db *db, const PlanRow *p, const PlanInd *ind,
                      const PlanSrc *s, const PlanMemo *memo, const char *date,
                      int has_base, int64_t base, json_t **out, Err *e)
{
    char path[ACTOR_PATH_MAX];
    int first = p->base_year ? p->base_year : p->year_from;
    int cur = 0;
    json_t *arr = json_array();
    int rc;

    cur = (int)plan_digits(date, 4, NULL);
    rc = plan_unit_path(db, p->issuer_unit_id, path, sizeof path, NULL, 0, e);
    for (int y = first; rc == 0 && y <= p->year_to && y < first + 16; y++) {
        json_t *o = json_pack("{si}", "year", y);
        int64_t v = 0;
        int64_t t = 0;
        int64_t pend = 0;
        int has_t = 0;
        int st = FIG_NO_DATA;

        if (y == p->base_year && has_base) {
            st = FIG_OK;
            v = base;
        } else if (y <= cur) {
            char d[24];

            if (y < cur) {
                snprintf(d, sizeof d, "%04d-12-31", y);
            } else {
                snprintf(d, sizeof d, "%s", date);
            }
            rc = plan_compute(db, ind, s, memo, d, p->issuer_unit_id, path, &st,
                              &v, &pend, e);
        }
        if (rc == 0) {
            rc = plan_target_of(db, ind->id, y, p->issuer_unit_id, &has_t, &t,
                                e);
        }
        plan_set_value(o, "actual", "actual_e4", st == FIG_OK, v);
        plan_set_value(o, "target", "target_e4", has_t, t);
        json_array_append_new(arr, o);
    }
    if (rc) {
        json_decref(arr);
        arr = NULL;
    }
    *out = arr;
    return rc;
}

/* Totals that depend on the kind, from the targets already in ind_json:
 * "period_target" (the whole plan period: a flow's yearly targets summed,
 * a stock's or ratio's last year's target — never a sum) and, per year,
 * "units_target" (the decomposed units' targets summed; a ratio's are not
 * summable, so it stays null with "units_target_note"). */
static void plan_totals(const PlanRow *p, const PlanInd *ind, json_t *ind_json)
{
    json_t *targets = json_object_get(ind_json, "targets");
    json_t *units = json_object();
    int64_t years[PLAN_TREND_YEARS];
    size_t n_years = 0;
    int64_t last = 0;
    int last_year = 0;
    int64_t total = 0;
    size_t i;
    json_t *t;
    Err e;

    json_array_foreach(targets, i, t)
    {
        json_t *v = json_object_get(t, "value_e4");
        int y = (int)json_integer_value(json_object_get(t, "year"));

        if (!json_is_integer(v)) {
            continue;
        }
        if (json_is_true(json_object_get(t, "district"))) {
            if (n_years < PLAN_TREND_YEARS) {
                years[n_years++] = json_integer_value(v);
            }
            if (y > last_year) {
                last_year = y;
                last = json_integer_value(v);
            }
        } else {
            char key[8];
            json_t *arr;

            snprintf(key, sizeof key, "%d", y);
            arr = json_object_get(units, key);
            if (!arr) {
                arr = json_array();
                json_object_set_new(units, key, arr);
            }
            json_array_append_new(arr, json_incref(v));
        }
    }
    (void)p;
    if (n_years && plan_sum_years(ind->kind, years, n_years, &total, &e) == 0) {
        plan_set_value(ind_json, "period_target", "period_target_e4", 1, total);
        json_object_set_new(ind_json, "period_target_note",
                            json_string("计划期各年目标合计（流量）"));
    } else if (n_years) {
        plan_set_value(ind_json, "period_target", "period_target_e4", 1, last);
        json_object_set_new(ind_json, "period_target_note",
                            json_string(ind->kind == PLAN_KIND_STOCK
                                            ? "期末目标（存量不跨年相加）"
                                            : "期末目标（比率不相加）"));
    }
    {
        const char *key;
        json_t *arr;
        json_t *sums = json_object();

        json_object_foreach(units, key, arr)
        {
            int64_t vals[64];
            size_t n = 0;
            int64_t sum = 0;
            size_t k;
            json_t *v;

            json_array_foreach(arr, k, v)
            {
                if (n < 64) {
                    vals[n++] = json_integer_value(v);
                }
            }
            if (plan_sum_units(ind->kind, vals, n, &sum, &e) == 0) {
                char txt[PLAN_VALUE_TEXT];

                plan_value_format(sum, txt);
                json_object_set_new(sums, key, json_string(txt));
            } else {
                json_object_set_new(sums, key, json_null());
                json_object_set_new(ind_json, "units_target_note",
                                    json_string(e.msg));
            }
        }
        json_object_set_new(ind_json, "units_target", sums);
    }
    json_decref(units);
}

/* The memo of a record-counted source (qualifications, patents, contract
 * amounts) for every date plan_figures asks of it: the statistics date and
 * the ends of the plan's earlier years (plan_trend's dates). Other sources
 * leave memo empty (counted figure by figure). */
static int plan_memo_for(Db *db, const PlanRow *p, const PlanSrc *s,
                         const char *date, PlanMemo *memo, Err *e)
{
    char buf[PLAN_MEMO_DATES][24]; /* room for any int year */
    const char *dates[PLAN_MEMO_DATES];
    int first = p->base_year ? p->base_year : p->year_from;
    int cur = (int)plan_digits(date, 4, NULL);
    size_t n = 0;
    int qual = strcmp(s->source, "qual_count") == 0;
    int amounts = strcmp(s->source, "contracts") == 0;

    if (!qual && !amounts && strcmp(s->source, "ip_invention") != 0) {
        return 0;
    }
    snprintf(buf[n], sizeof buf[n], "%s", date);
    dates[n] = buf[n];
    n++;
    for (int y = first; y <= p->year_to && y < cur && n < PLAN_MEMO_DATES;
         y++) {
        snprintf(buf[n], sizeof buf[n], "%04d-12-31", y);
        dates[n] = buf[n];
        n++;
    }
    if (amounts) {
        return plan_memo_fill_amounts(db, memo, dates, n, e);
    }
    return plan_memo_fill(db, memo, qual ? s->param : NULL, dates, n, e);
}

/* The figures of a plan as last computed, by (plan, date, the actor's
 * role and scope, today) and the data version: the hash of the newest
 * audit entry. Every write is one transaction with its audit entry, so a
 * write that could change a figure moves it (the snapshot's freshness
 * check relies on the same rule), and the chained hash names one history
 * of one database: another database (a test's, a restored backup) never
 * matches. Several app servers on one database each keep their own cache;
 * the mark is the database's. */
#define PLAN_CACHE_SLOTS 16
#define PLAN_MARK_MAX 80
typedef struct PlanCacheSlot {
    int64_t plan_id;
    char mark[PLAN_MARK_MAX];
    int role;
    char date[DATE_ISO_SIZE];
    char today[DATE_ISO_SIZE];
    char scope[ACTOR_PATH_MAX];
    char *json; /* NULL: empty slot */
    uint64_t used;
} PlanCacheSlot;
static PlanCacheSlot plan_cache[PLAN_CACHE_SLOTS];
static uint64_t plan_cache_tick;
static pthread_mutex_t plan_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int plan_cache_match(const PlanCacheSlot *c, int64_t plan_id,
                            const char *mark, const Actor *a, const char *date,
                            const char *today)
{
    return c->json && c->plan_id == plan_id && strcmp(c->mark, mark) == 0 &&
           c->role == a->role && strcmp(c->date, date) == 0 &&
           strcmp(c->today, today) == 0 && strcmp(c->scope, a->unit_path) == 0;
}

/* A copy of the cached figures, or NULL. */
static json_t *plan_cache_get(int64_t plan_id, const char *mark, const Actor *a,
                              const char *date, const char *today)
{
    json_t *out = NULL;

    pthread_mutex_lock(&plan_cache_lock);
    for (size_t i = 0; i < PLAN_CACHE_SLOTS; i++) {
        PlanCacheSlot *c = &plan_cache[i];

        if (plan_cache_match(c, plan_id, mark, a, date, today)) {
            c->used = ++plan_cache_tick;
            out = json_loads(c->json, 0, NULL);
            break;
        }
    }
    pthread_mutex_unlock(&plan_cache_lock);
    return out;
}

/* Keep figures in the least recently used slot (a failed copy keeps
 * nothing: the next call computes again). */
static void plan_cache_put(int64_t plan_id, const char *mark, const Actor *a,
                           const char *date, const char *today,
                           const json_t *figures)
{
    char *text = json_dumps(figures, JSON_COMPACT);
    PlanCacheSlot *c;

    if (!text) {
        return;
    }
    pthread_mutex_lock(&plan_cache_lock);
    c = &plan_cache[0];
    for (size_t i = 1; i < PLAN_CACHE_SLOTS; i++) {
        if (plan_cache[i].used < c->used) {
            c = &plan_cache[i];
        }
    }
    free(c->json);
    c->plan_id = plan_id;
    snprintf(c->mark, sizeof c->mark, "%s", mark);
    c->role = a->role;
    snprintf(c->date, sizeof c->date, "%s", date);
    snprintf(c->today, sizeof c->today, "%s", today);
    snprintf(c->scope, sizeof c->scope, "%s", a->unit_path);
    c->json = text;
    c->used = ++plan_cache_tick;
    pthread_mutex_unlock(&plan_cache_lock);
}

static int plan_figures_compute(Db *db, const Actor *a, int64_t plan_id,
                                const char *iso, json_t **out, Err *e);

int plan_figures(Db *db, const Actor *a, int64_t plan_id, const char *date,
                 json_t **out, Err *e)
{
    char iso[DATE_ISO_SIZE];
    char today[DATE_ISO_SIZE];
    char mark[PLAN_MARK_MAX] = "";
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = plan_date_arg(date, iso, e);
    if (rc == 0) {
        rc = plan_date_arg(NULL, today, e);
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
                          "");
    }
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        snprintf(mark, sizeof mark, "%s", db_col_text(st, 0));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc) {
        return rc;
    }
    if (mark[0]) {
        *out = plan_cache_get(plan_id, mark, a, iso, today);
        if (*out) {
            return 0;
        }
    }
    /* the grouped counts read the registers whole: mapped pages, no
     * copies (the snapshot build's setting) */
    db_tune(db, DB_TUNE_SCAN_BEGIN, NULL);
    rc = plan_figures_compute(db, a, plan_id, iso, out, e);
    db_tune(db, DB_TUNE_SCAN_END, NULL);
    if (rc == 0 && mark[0]) {
        plan_cache_put(plan_id, mark, a, iso, today, *out);
    }
    return rc;
}

/* plan_figures without the cache; iso is the checked date. */
static int plan_figures_compute(Db *db, const Actor *a, int64_t plan_id,
                                const char *iso, json_t **out, Err *e)
{
    json_t *plan = NULL;
    json_t *inds;
    json_t *it;
    size_t i;
    PlanMemo memo = {0};
    PlanRow p;
    int rc;

    *out = NULL;
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_get(db, a, plan_id, &plan, e);
    }
    if (rc) {
        return rc;
    }
    inds = json_object_get(plan, "indicators");
    json_array_foreach(inds, i, it)
    {
        int64_t id = json_integer_value(json_object_get(it, "id"));
        json_t *fig = NULL;
        json_t *units = json_array();
        json_t *trend = NULL;
        json_t *tg;
        size_t j;
        PlanInd ind;
        PlanSrc s;
        char path[ACTOR_PATH_MAX];
        char uname[256];

        plan_memo_clear(&memo);
        json_object_set_new(it, "units", units);
        rc = plan_ind_load(db, id, &ind, e);
        if (rc == 0) {
            rc = plan_src_load(db, id, 0, &s, e);
        }
        if (rc == 0) {
            rc = plan_memo_for(db, &p, &s, iso, &memo, e);
        }
        if (rc == 0) {
            rc = plan_unit_path(db, p.issuer_unit_id, path, sizeof path, uname,
                                sizeof uname, e);
        }
        if (rc == 0) {
            rc = plan_figure_build(db, &p, &ind, &s, &memo, iso,
                                   p.issuer_unit_id, path, uname, &fig, e);
        }
        if (rc) {
            break;
        }
        json_object_set_new(it, "district", fig);
        /* one figure per decomposed unit (targets the actor sees) */
        json_array_foreach(json_object_get(it, "targets"), j, tg)
        {
            int64_t u = json_integer_value(json_object_get(tg, "unit_id"));
            int dup = 0;
            size_t k;
            json_t *uf;

            if (u == p.issuer_unit_id) {
                continue;
            }
            json_array_foreach(units, k, uf)
            {
                dup |= json_integer_value(json_object_get(uf, "unit_id")) == u;
            }
            if (dup) {
                continue;
            }
            rc = plan_unit_path(db, u, path, sizeof path, uname, sizeof uname,
                                e);
            if (rc == 0) {
                rc = plan_figure_build(db, &p, &ind, &s, &memo, iso, u, path,
                                       uname, &uf, e);
            }
            if (rc) {
                break;
            }
            json_array_append_new(units, uf);
        }
        if (rc == 0) {
            rc = plan_trend(db, &p, &ind, &s, &memo, iso,
                            !json_is_null(json_object_get(it, "base_e4")),
                            json_integer_value(json_object_get(it, "base_e4")),
                            &trend, e);
        }
        if (rc) {
            break;
        }
        json_object_set_new(it, "trend", trend);
        plan_totals(&p, &ind, it);
    }
    plan_memo_clear(&memo);
    if (rc) {
        json_decref(plan);
        return rc;
    }
    json_object_set_new(plan, "date", json_string(iso));
    *out = plan;
    return 0;
}

int plan_drill(Db *db, const Actor *a, int64_t ind_id, const char *date,
               int64_t unit_id, int64_t offset, int64_t limit, json_t **items,
               int64_t *total, Err *e)
{
    char iso[DATE_ISO_SIZE];
    char path[ACTOR_PATH_MAX];
    const char *scope;
    PlanRow p;
    PlanInd ind;
    PlanSrc s;
    int rc;

    *items = NULL;
    *total = 0;
    rc = plan_date_arg(date, iso, e);
    if (rc == 0) {
        rc = plan_ind_load(db, ind_id, &ind, e);
    }
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_src_load(db, ind_id, 0, &s, e);
    }
    if (rc == 0) {
        rc = plan_unit_path(db, unit_id ? unit_id : p.issuer_unit_id, path,
                            sizeof path, NULL, 0, e);
    }
    if (rc) {
        return rc;
    }
    /* rows only within both the figure's unit and the actor's scope */
    if (actor_sees_path(a, path)) {
        scope = path;
    } else if (strncmp(a->unit_path, path, strlen(path)) == 0) {
        scope = a->unit_path;
    } else {
        return err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
    }
    if (strcmp(s.source, "qual_count") == 0) {
        rc = plan_count_quals(db, s.param, iso, scope, total, e);
        if (rc == 0) {
            rc = plan_rows_quals(db, s.param, iso, scope, offset, limit, items,
                                 e);
        }
    } else if (strcmp(s.source, "ip_invention") == 0) {
        rc = plan_count_patents(db, iso, scope, total, e);
        if (rc == 0) {
            rc = plan_rows_patents(db, iso, scope, offset, limit, items, e);
        }
    } else if (strcmp(s.source, "pipeline_stage") == 0) {
        rc = pipe_count_stage(db, s.param2, s.param, iso, scope, total, e);
        if (rc == 0) {
            rc = pipe_rows_stage(db, s.param2, s.param, iso, scope, offset,
                                 limit, items, e);
        }
    } else {
        rc = err_set(e, ERR_INVALID, "source",
                     "该指标不是由系统记录计算的，没有明细可查（%s）",
                     strcmp(s.source, "manual") == 0 ? "责任单位填报"
                                                     : "数据源未接入");
    }
    return rc;
}

int plan_actual_submit(Db *db, const Actor *a, int64_t ind_id, int64_t unit_id,
                       const char *period, const char *value, const char *note,
                       const char *evidence, int64_t *id_out, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char p0[11];
    char p1[11];
    char nt[PLAN_TEXT_MAX * 4 + 1] = "";
    char ev[PLAN_NAME_MAX * 4 + 1] = "";
    char *status = NULL;
    json_t *after = NULL;
    PlanRow p;
    PlanInd ind;
    PlanSrc s;
    int64_t v = 0;
    int year = 0;
    int rc;

    rc = plan_ind_load(db, ind_id, &ind, e);
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_src_load(db, ind_id, 0, &s, e);
    }
    if (rc) {
        return rc;
    }
    if (strcmp(s.source, "manual") != 0) {
        return err_set(e, ERR_INVALID, "indicator_id",
                       "指标“%s”由系统按记录计算（%s），不能人工填报", ind.name,
                       plan_source_find(s.source)
                           ? plan_source_find(s.source)->name
                           : s.source);
    }
    if (unit_id == 0) {
        unit_id = a->unit_id;
    }
    rc = plan_unit_path(db, unit_id, path, sizeof path, NULL, 0, e);
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_FORBIDDEN, "unit_id", "只能填报本单位的数据");
    }
    if (rc == 0) {
        rc = plan_period_parse(period, p.period, &year, p0, p1, "period", e);
    }
    if (rc == 0) {
        rc = plan_year_check(year, p.year_from, p.year_to, 0, "period", "", e);
    }
    if (rc == 0) {
        int frozen = 0;

        rc = plan_period_frozen(db, p.id, period, &frozen, e);
        if (rc == 0 && frozen) {
            rc = err_set(e, ERR_CONFLICT, "period",
                         "%s 所在季度的评价已发布（已冻结），不能再填报",
                         period);
        }
    }
    if (rc == 0) {
        rc = plan_value_parse(value, ind.unit, &v, "value", "", e);
    }
    if (rc == 0 && note && *note) {
        rc = valid_text(note, 1, PLAN_TEXT_MAX, nt, sizeof nt, "note", "说明",
                        e);
    }
    if (rc == 0 && evidence && *evidence) {
        rc = valid_text(evidence, 1, PLAN_NAME_MAX, ev, sizeof ev, "evidence",
                        "佐证材料", e);
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_text(db, &status, e,
                       "SELECT status FROM plan_actuals WHERE indicator_id = "
                       "$1 AND unit_id = $2 AND period = $3",
                       "iit", ind_id, unit_id, period);
    if (rc == ERR_NOTFOUND) {
        rc = 0;
    } else if (rc == 0 && status && strcmp(status, "accepted") == 0) {
        rc = err_set(e, ERR_CONFLICT, "period",
                     "%s 的数据已审核通过，不能再修改", period);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_query_int64(
        db, id_out, e,
        "INSERT INTO plan_actuals (indicator_id, unit_id, period, value_e4, "
        "note, evidence, status, src_user_id, src_at) VALUES ($1, $2, $3, "
        "$4, $5, $6, 'submitted', $7, $8) ON CONFLICT (indicator_id, unit_id, "
        "period) DO UPDATE SET value_e4 = $4, note = $5, evidence = $6, "
        "status = 'submitted', src_user_id = $7, src_at = $8, reviewed_by = "
        "NULL, reviewed_at = NULL, review_note = NULL RETURNING id",
        "iitittit", ind_id, unit_id, period, v, *nt ? nt : NULL,
        *ev ? ev : NULL, a->user_id, now);
    if (rc == 0) {
        after = json_pack("{sIssssso?}", "unit_id", (json_int_t)unit_id,
                          "period", period, "value", value, "note",
                          plan_json_str(*nt ? nt : NULL));
        rc = audit_record(db, a, "plan.actual.submit", "plan_indicator", ind_id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    free(status);
    json_decref(after);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_actual_review(Db *db, const Actor *a, int64_t actual_id, int accept,
                       const char *note, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char nt[PLAN_TEXT_MAX * 4 + 1] = "";
    int64_t ind_id = 0;
    json_t *after = NULL;
    char *status = NULL;
    PlanRow p;
    PlanInd ind;
    int rc;

    rc = db_query_int64(db, &ind_id, e,
                        "SELECT indicator_id FROM plan_actuals WHERE id = $1",
                        "i", actual_id);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "id", "填报记录不存在");
    }
    if (rc == 0) {
        rc = plan_ind_load(db, ind_id, &ind, e);
    }
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0 && note && *note) {
        rc = valid_text(note, 1, PLAN_TEXT_MAX, nt, sizeof nt, "note",
                        "审核意见", e);
    }
    if (rc == 0 && !accept && !*nt) {
        rc = err_set(e, ERR_INVALID, "note", "退回时须填写审核意见");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_text(db, &status, e,
                       "SELECT status FROM plan_actuals WHERE id = $1", "i",
                       actual_id);
    if (rc == 0 && (!status || strcmp(status, "submitted") != 0)) {
        rc = err_set(e, ERR_CONFLICT, "status", "只有待审核的填报可以审核");
    }
    /* separation of duties: a figure's reviewer is not its author (the
     * command line, user -1, writes the demo and is exempt) */
    if (rc == 0) {
        int64_t author = 0;
        rc = db_query_int64(db, &author, e,
                            "SELECT COALESCE(src_user_id, 0) FROM "
                            "plan_actuals WHERE id = $1",
                            "i", actual_id);
        if (rc == 0 && a->user_id > 0 && author == a->user_id) {
            rc = err_set(e, ERR_FORBIDDEN, "id",
                         "不能审核本人填报的数据，请由其他人员审核");
        }
    }
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_actuals SET status = $1, reviewed_by = "
                       "$2, reviewed_at = $3, review_note = $4 WHERE id = $5",
                       "titti", accept ? "accepted" : "returned", a->user_id,
                       now, *nt ? nt : NULL, actual_id);
    }
    if (rc == 0) {
        after = json_pack("{sIssso?}", "actual_id", (json_int_t)actual_id,
                          "status", accept ? "accepted" : "returned", "note",
                          plan_json_str(*nt ? nt : NULL));
        rc = audit_record(db, a, "plan.actual.review", "plan_indicator", ind_id,
                          p.issuer_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    free(status);
    json_decref(after);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_actual_attach_scope(Db *db, const Actor *a, int64_t actual_id,
                             int write, char path[ACTOR_PATH_MAX], Err *e)
{
    DbStmt *st = NULL;
    char status[16] = "";
    int rc;

    path[0] = '\0';
    rc = db_prepare_v(db, &st, e,
                      "SELECT a.status, u.path FROM plan_actuals a JOIN "
                      "org_units u ON u.id = a.unit_id WHERE a.id = $1",
                      "i", actual_id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        snprintf(status, sizeof status, "%s", db_col_text(st, 0));
        snprintf(path, ACTOR_PATH_MAX, "%s", db_col_text(st, 1));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "owner_id", "填报记录不存在");
    }
    db_finalize(st);
    /* the same rows plan_actuals_list shows */
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_NOTFOUND, "owner_id", "填报记录不存在");
    }
    if (rc == 0 && write && strcmp(status, "accepted") == 0) {
        rc = err_set(e, ERR_CONFLICT, "owner_id",
                     "填报数字已审核通过，附件不能再增删");
    }
    return rc;
}

int plan_actuals_list(Db *db, const Actor *a, int64_t ind_id, json_t **items,
                      Err *e)
{
    DbStmt *st = NULL;
    PlanInd ind;
    int rc;

    *items = json_array();
    rc = plan_ind_load(db, ind_id, &ind, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT a.id, a.unit_id, u.name AS unit_name, a.period, "
            "a.value_e4, a.note, a.evidence, a.status, a.src_user_id, "
            "a.src_at, a.reviewed_at, a.review_note, u.path FROM plan_actuals "
            "a JOIN org_units u ON u.id = a.unit_id WHERE a.indicator_id = $1 "
            "ORDER BY a.period, u.path",
            "i", ind_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *o;
        char v[PLAN_VALUE_TEXT];

        rc = 0;
        if (!actor_sees_path(a, db_col_text(st, 12))) {
            continue;
        }
        o = plan_row_json(st, "iitsitttiss");
        plan_value_format(db_col_int64(st, 4), v);
        json_object_set_new(o, "value", json_string(v));
        json_array_append_new(*items, o);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}
