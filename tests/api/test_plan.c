/* test_plan.c - plans through the real dispatcher: the 河东 年度分解表 and a
 * 任务分工表 imported from CSV, pasted text and XLSX (preview, unit mapping,
 * confirm; bad input refused with row and column and nothing written),
 * kinds in figures, actuals computed from the qualifications register and
 * IP rights with drill-down, sources not connected yet, manual figures
 * with review, and data scope. Fixtures: tests/data/plan/make_fixtures.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uscc.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/audit.h"
#include "domain/plan/plan_import.h"

#define DATA "tests/data/plan/"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t plan;
} Fx;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static json_t *req_json(Fx *f, const char *method, const char *url,
                        const char *body, int want)
{
    ApiResp r;
    json_t *j;

    apitest_request(f->t, method, url, body, NULL, &r);
    if (r.status != want) {
        fail_msg("%s %s: %d (want %d) %s", method, url, r.status, want, r.body);
    }
    j = json_incref(r.json);
    apiresp_release(&r);
    return j;
}

static int64_t new_plan(Fx *f)
{
    json_t *j = req_json(f, "POST", "/api/v1/plans",
                         "{\"name\": \"河东区科技创新三年行动计划\", "
                         "\"doc_no\": \"东政办发〔2020〕1号\", \"year_from\": "
                         "2020, \"year_to\": 2022, \"base_year\": 2019}",
                         201);
    int64_t id = json_integer_value(json_object_get(j, "id"));

    json_decref(j);
    return id;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_unit(f->t, f->t->root_id, "河东科创园区", "park");
    apitest_add_user(f->t, "agent_a", APITEST_ADMIN_PASSWORD, ROLE_AGENT,
                     f->street_a);
    apitest_add_user(f->t, "agent_b", APITEST_ADMIN_PASSWORD, ROLE_AGENT,
                     f->street_b);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->plan = new_plan(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    apitest_free(f->t);
    free(f);
    return 0;
}

/* Upload text as kind; returns the preview (201 expected). */
static json_t *preview(Fx *f, const char *kind, const char *text)
{
    char url[128];

    snprintf(url, sizeof url, "/api/v1/plans/%lld/imports?kind=%s",
             (long long)f->plan, kind);
    return req_json(f, "POST", url, text, 201);
}

static json_t *find_ind(json_t *plan, int seq)
{
    size_t i;
    json_t *it;

    json_array_foreach(json_object_get(plan, "indicators"), i, it)
    {
        if (json_integer_value(json_object_get(it, "seq")) == seq) {
            return it;
        }
    }
    fail_msg("no indicator %d", seq);
    return NULL;
}

static const char *target_of(json_t *ind, int year)
{
    size_t i;
    json_t *t;

    json_array_foreach(json_object_get(ind, "targets"), i, t)
    {
        if (json_integer_value(json_object_get(t, "year")) == year &&
            json_is_true(json_object_get(t, "district"))) {
            return json_is_string(json_object_get(t, "value"))
                       ? apitest_jstr(t, "value")
                       : apitest_jstr(t, "text");
        }
    }
    return NULL;
}

static json_t *get_plan(Fx *f)
{
    char url[64];

    snprintf(url, sizeof url, "/api/v1/plans/%lld", (long long)f->plan);
    return req_json(f, "GET", url, NULL, 200);
}

static void apply_ok(Fx *f, int64_t imp, const char *body)
{
    char url[64];
    json_t *j;

    snprintf(url, sizeof url, "/api/v1/plan-imports/%lld/apply",
             (long long)imp);
    j = req_json(f, "POST", url, body, 200);
    json_decref(j);
}

/* The 河东 table from CSV: header under a title, base column, text for a
 * number, notes deciding kinds; applied in one go. */
static void test_import_targets_csv(void **state)
{
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_targets.csv", &len);
    json_t *p = preview(f, "targets", csv);
    json_t *inds = json_object_get(p, "indicators");
    json_t *plan;
    json_t *ind;

    assert_int_equal(json_array_size(json_object_get(p, "errors")), 0);
    assert_int_equal(json_array_size(inds), 7);
    assert_string_equal(apitest_jstr(json_array_get(inds, 0), "kind"), "ratio");
    assert_string_equal(apitest_jstr(json_array_get(inds, 0), "unit"), "%");
    assert_string_equal(apitest_jstr(json_array_get(inds, 1), "name"),
                        "全区有效发明专利");
    assert_string_equal(apitest_jstr(json_array_get(inds, 1), "kind"), "stock");
    assert_true(json_is_true(
        json_object_get(json_array_get(inds, 1), "kind_from_note")));
    assert_string_equal(apitest_jstr(json_array_get(inds, 6), "kind"), "flow");
    assert_string_equal(apitest_jstr(json_array_get(inds, 6), "unit"), "亿元");
    assert_int_equal(json_array_size(json_object_get(p, "notes")), 2);
    /* nothing written before the confirmation */
    plan = get_plan(f);
    assert_int_equal(json_array_size(json_object_get(plan, "indicators")), 0);
    json_decref(plan);

    apply_ok(f, json_integer_value(json_object_get(p, "id")), "{}");
    plan = get_plan(f);
    assert_int_equal(json_array_size(json_object_get(plan, "indicators")), 7);
    ind = find_ind(plan, 3);
    assert_string_equal(apitest_jstr(ind, "name"), "高新技术企业数量");
    assert_string_equal(target_of(ind, 2022), "128");
    assert_string_equal(apitest_jstr(ind, "base"), "96");
    ind = find_ind(plan, 1);
    assert_string_equal(target_of(ind, 2020), "2.57");
    assert_int_equal(json_integer_value(json_object_get(ind, "base_e4")),
                     25000);
    ind = find_ind(plan, 6);
    assert_true(json_is_null(json_object_get(ind, "base")));
    assert_string_equal(apitest_jstr(ind, "base_text"), "尚未开展");
    assert_string_equal(target_of(ind, 2020), "0");
    json_decref(plan);
    /* applied once only */
    {
        char url[64];

        snprintf(url, sizeof url, "/api/v1/plan-imports/%lld/apply",
                 (long long)json_integer_value(json_object_get(p, "id")));
        assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 409);
    }
    json_decref(p);
    free(csv);
}

/* Pasted from a Word table (tabs, full-width ％, no 序号) and the XLSX
 * copy (a number written through a double) read the same. */
static void test_import_targets_paste_and_xlsx(void **state)
{
    Fx *f = *state;
    size_t len;
    char *txt = slurp(DATA "hedong_targets_paste.txt", &len);
    char *xlsx;
    json_t *p = preview(f, "targets", txt);
    json_t *inds = json_object_get(p, "indicators");
    json_t *grid = NULL;
    json_t *parsed = NULL;
    json_t *v;
    Err e;

    assert_int_equal(json_array_size(json_object_get(p, "errors")), 0);
    assert_int_equal(json_array_size(inds), 7);
    assert_string_equal(apitest_jstr(json_array_get(inds, 0), "unit"), "%");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(inds, 6), "seq")), 7);
    json_decref(p);
    free(txt);

    xlsx = slurp(DATA "hedong_targets.xlsx", &len);
    assert_int_equal(plan_grid_read(xlsx, len, &grid, &e), 0);
    assert_int_equal(
        plan_import_parse(f->t->db, f->plan, "targets", grid, &parsed, &e), 0);
    inds = json_object_get(parsed, "indicators");
    assert_int_equal(json_array_size(json_object_get(parsed, "errors")), 0);
    assert_int_equal(json_array_size(inds), 7);
    /* 2.5699999999999998 in the cell is 2.57 */
    v = json_array_get(json_object_get(json_array_get(inds, 0), "values"), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "year")), 2020);
    assert_string_equal(apitest_jstr(v, "value"), "2.57");
    json_decref(grid);
    json_decref(parsed);
    free(xlsx);
}

/* A year outside the plan, % over 100 and an unknown unit are listed by
 * row and column; confirming is refused and nothing is written. */
static void test_import_targets_bad(void **state)
{
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_targets_bad.csv", &len);
    json_t *p = preview(f, "targets", csv);
    json_t *errs = json_object_get(p, "errors");
    json_t *plan;
    char url[64];
    char all[4096] = "";
    size_t i;
    json_t *er;
    ApiResp r;

    json_array_foreach(errs, i, er)
    {
        char line[256];

        snprintf(line, sizeof line, "%lld%s:%s|",
                 (long long)json_integer_value(json_object_get(er, "row")),
                 apitest_jstr(er, "col"), apitest_jstr(er, "message"));
        strncat(all, line, sizeof all - strlen(all) - 1);
    }
    if (!strstr(all, "1E:2023 年不在计划期")) {
        fail_msg("errors: %s %s", all, json_dumps(p, 0));
    }
    assert_non_null(strstr(all, "2D:第2行D列：百分比不能超过 100"));
    assert_non_null(strstr(all, "3B:计量单位“吨”"));
    snprintf(url, sizeof url, "/api/v1/plan-imports/%lld/apply",
             (long long)json_integer_value(json_object_get(p, "id")));
    apitest_request(f->t, "POST", url, "{}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "3 处问题"));
    apiresp_release(&r);
    plan = get_plan(f);
    assert_int_equal(json_array_size(json_object_get(plan, "indicators")), 0);
    json_decref(plan);
    json_decref(p);
    free(csv);
}

static int64_t count(Fx *f, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e, sql, ""), 0);
    return n;
}

/* The 任务分工表: headings, continuation rows, several units per cell;
 * unknown units must be mapped before anything is written. */
static void test_import_tasks(void **state)
{
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_tasks.csv", &len);
    json_t *p = preview(f, "tasks", csv);
    json_t *tasks = json_object_get(p, "tasks");
    json_t *units = json_object_get(p, "units");
    json_t *t2;
    int64_t units_before = count(f, "SELECT COUNT(*) FROM org_units");
    char url[64];
    char body[256];
    ApiResp r;
    size_t i;
    json_t *u;
    int unknown = 0;

    assert_int_equal(json_array_size(json_object_get(p, "errors")), 0);
    assert_int_equal(json_array_size(tasks), 5);
    t2 = json_array_get(tasks, 1);
    /* the heading cell left blank continues the one above */
    assert_string_equal(apitest_jstr(t2, "heading"), "壮大科技企业群体");
    assert_string_equal(apitest_jstr(t2, "section"),
                        "一、实施科技企业梯度培育工程");
    /* the continuation row adds its text and its unit */
    assert_non_null(strstr(apitest_jstr(t2, "content"), "“一对一”辅导服务"));
    assert_int_equal(json_array_size(json_object_get(t2, "resp")), 3);
    /* 、 and ， both separate units */
    assert_int_equal(
        json_array_size(json_object_get(json_array_get(tasks, 0), "resp")), 3);
    json_array_foreach(units, i, u)
    {
        if (json_is_null(json_object_get(u, "unit_id"))) {
            unknown++;
        }
    }
    assert_int_equal(unknown, 7); /* 区科技局 区市场监管局 区税务局 区人才办
                                     区财政局 区发改委 区人社局 */
    snprintf(url, sizeof url, "/api/v1/plan-imports/%lld/apply",
             (long long)json_integer_value(json_object_get(p, "id")));
    /* unmapped: refused, nothing written */
    apitest_request(f->t, "POST", url, "{\"units\": {\"区科技局\": \"new\"}}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "没有找到"));
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM plan_tasks"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM org_units"), units_before);
    /* mapped: 区科技局 to the root, the others created as 部门 */
    snprintf(body, sizeof body,
             "{\"units\": {\"区科技局\": %lld, \"区市场监管局\": \"new\", "
             "\"区税务局\": \"new\", \"区人才办\": \"new\", \"区财政局\": "
             "\"new\", \"区发改委\": \"new\", \"区人社局\": \"new\"}}",
             (long long)f->t->root_id);
    apply_ok(f, json_integer_value(json_object_get(p, "id")), body);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM plan_tasks"), 5);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM org_units WHERE kind = "
                              "'dept'"),
                     6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'plan.import.apply'"),
                     1);
    json_decref(p);
    free(csv);
}

/* A street agent sees the plan's public figures, its own tasks only, and
 * only its own decomposed targets. */
static void test_scope(void **state)
{
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_tasks.csv", &len);
    json_t *p = preview(f, "tasks", csv);
    json_t *j;
    json_t *plan;
    char url[128];
    char body[512];
    int64_t ind;

    snprintf(body, sizeof body,
             "{\"units\": {\"区科技局\": %lld, \"区市场监管局\": \"new\", "
             "\"区税务局\": \"new\", \"区人才办\": \"new\", \"区财政局\": "
             "\"new\", \"区发改委\": \"new\", \"区人社局\": \"new\"}}",
             (long long)f->t->root_id);
    apply_ok(f, json_integer_value(json_object_get(p, "id")), body);
    json_decref(p);
    free(csv);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(f, "POST", url,
                 "{\"name\": \"高新技术企业数量\", \"unit\": \"家\"}", 201);
    ind = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);
    snprintf(body, sizeof body,
             "{\"year\": 2022, \"unit_id\": %lld, "
             "\"value\": \"20\"}",
             (long long)f->street_a);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);
    snprintf(body, sizeof body,
             "{\"year\": 2022, \"unit_id\": %lld, "
             "\"value\": \"15\"}",
             (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);
    /* year outside the plan */
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"year\": 2023, \"value\": \"130\"}"),
                     400);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"year\": 2021, \"value\": \"116\"}"),
                     204);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"year\": 2022, \"value\": \"128\"}"),
                     204);
    /* kinds in totals: a stock's period target is its last year's, never
     * the sum of the years; the units' targets of a year add up */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?date=2022-06-30",
             (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    {
        json_t *i1 = json_array_get(json_object_get(j, "indicators"), 0);

        assert_string_equal(apitest_jstr(i1, "period_target"), "128");
        assert_non_null(
            strstr(apitest_jstr(i1, "period_target_note"), "不跨年相加"));
        assert_string_equal(
            apitest_jstr(json_object_get(i1, "units_target"), "2022"), "35");
    }
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);

    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    plan = get_plan(f);
    j = json_object_get(find_ind(plan, 1), "targets");
    /* the district's 2021 and 2022 targets, and the own street's only */
    assert_int_equal(json_array_size(j), 3);
    {
        size_t i;
        json_t *t;
        int streets = 0;

        json_array_foreach(j, i, t)
        {
            if (!json_is_true(json_object_get(t, "district"))) {
                streets++;
                assert_int_equal(
                    json_integer_value(json_object_get(t, "unit_id")),
                    f->street_a);
            }
        }
        assert_int_equal(streets, 1);
    }
    assert_false(json_is_true(json_object_get(plan, "editable")));
    json_decref(plan);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/tasks", (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
    /* not the owner: no changes to the plan */
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"year\": 2022, \"value\": \"1\"}"),
        403);
}

/* Rows written here with SQL stand in for the registers' own write paths,
 * which record an audit entry in the same transaction: record one too, so
 * that figures cached by data version (the newest audit entry) see them. */
static void audited(Fx *f, const char *action, int64_t object_id)
{
    Actor sys;
    Err e;

    actor_init_system(&sys);
    assert_int_equal(db_begin(f->t->db, &e), 0);
    assert_int_equal(audit_record(f->t->db, &sys, action, "enterprise",
                                  object_id, "/", NULL, NULL, &e),
                     0);
    assert_int_equal(db_commit(f->t->db, &e), 0);
}

static int64_t add_ent(Fx *f, int n, int64_t unit)
{
    char code[USCC_LEN + 1];
    int64_t id = 0;
    Err e;

    apitest_uscc(n, code);
    assert_int_equal(
        db_query_int64(f->t->db, &id, &e,
                       "INSERT INTO enterprises (uscc, name, unit_id, src_at, "
                       "created_at, updated_at) VALUES ($1, $2, $3, 'x', 'x', "
                       "'x') RETURNING id",
                       "tti", code, code, unit),
        0);
    audited(f, "ent.create", id);
    return id;
}

static void add_qual(Fx *f, int64_t ent, const char *kind, const char *from,
                     const char *to, const char *ended)
{
    Err e;

    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "valid_from, valid_to, ended_on, src_at, created_at, "
                  "updated_at) VALUES ($1, $2, $3, $4, $5, 'x', 'x', 'x')",
                  "ittt"
                  "t",
                  ent, kind, from, to, ended),
        0);
    audited(f, "qual.create", ent);
}

/* Every figure of GET /plans/{id}/figures (district, units, the trend's
 * year ends), computed from one grouped query per indicator, equals the
 * same figure asked alone (GET /plan-indicators/{id}/figure, one query). */
static void check_figures_match(Fx *f, const char *date)
{
    char url[200];
    json_t *all;
    json_t *it;
    size_t i;
    int checked = 0;

    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?date=%s",
             (long long)f->plan, date);
    all = req_json(f, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(all, "indicators"), i, it)
    {
        int64_t id = json_integer_value(json_object_get(it, "id"));
        json_t *figs = json_array();
        json_t *fig;
        json_t *tr;
        size_t k;

        json_array_append(figs, json_object_get(it, "district"));
        json_array_foreach(json_object_get(it, "units"), k, fig)
        {
            json_array_append(figs, fig);
        }
        json_array_foreach(figs, k, fig)
        {
            json_t *one;

            snprintf(
                url, sizeof url,
                "/api/v1/plan-indicators/%lld/figure?date=%s&unit_id=%lld",
                (long long)id, date,
                (long long)json_integer_value(json_object_get(fig, "unit_id")));
            one = req_json(f, "GET", url, NULL, 200);
            assert_string_equal(apitest_jstr(one, "status"),
                                apitest_jstr(fig, "status"));
            assert_true(json_equal(json_object_get(one, "value_e4"),
                                   json_object_get(fig, "value_e4")));
            json_decref(one);
            checked++;
        }
        json_decref(figs);
        /* the trend's past year ends, district */
        json_array_foreach(json_object_get(it, "trend"), k, tr)
        {
            int y = (int)json_integer_value(json_object_get(tr, "year"));
            json_t *one;

            if (json_is_null(json_object_get(tr, "actual_e4")) ||
                y >= atoi(date) ||
                y == json_integer_value(json_object_get(it, "base_year"))) {
                continue;
            }
            snprintf(url, sizeof url,
                     "/api/v1/plan-indicators/%lld/figure?date=%d-12-31",
                     (long long)id, y);
            one = req_json(f, "GET", url, NULL, 200);
            assert_true(json_equal(json_object_get(one, "value_e4"),
                                   json_object_get(tr, "actual_e4")));
            json_decref(one);
            checked++;
        }
    }
    assert_true(checked > 0);
    json_decref(all);
}

/* Actuals from the qualifications register (valid on the date), with the
 * rows behind them limited to the actor's scope; a source that is not
 * connected says so instead of giving a number. */
static void test_figures_from_records(void **state)
{
    Fx *f = *state;
    json_t *j;
    json_t *d;
    char url[160];
    int64_t ind;
    int64_t flow;
    int64_t e1 = add_ent(f, 1, f->street_a);
    int64_t e2 = add_ent(f, 2, f->street_a);
    int64_t e3 = add_ent(f, 3, f->street_b);
    int64_t e4 = add_ent(f, 4, f->street_b);

    add_qual(f, e1, "hnte", "2020-11-01", "2023-10-31", NULL);
    add_qual(f, e2, "hnte", "2021-12-01", "2024-11-30", NULL);
    add_qual(f, e3, "hnte", "2019-10-01", "2022-09-30", NULL); /* expires */
    add_qual(f, e4, "hnte", "2020-11-01", "2023-10-31", "2022-03-01");
    add_qual(f, e4, "sme", "2022-01-01", "2022-12-31", NULL);

    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(
        f, "POST", url,
        "{\"seq\": 3, \"name\": \"高新技术企业数量\", \"unit\": \"家\"}", 201);
    ind = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    j = req_json(f, "POST", url,
                 "{\"seq\": 7, \"name\": \"全区技术合同成交额\", \"unit\": "
                 "\"亿元\"}",
                 201);
    flow = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"year\": 2022, \"value\": \"4\"}"),
        204);
    /* a flow source cannot feed a stock; a tier code must be known */
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/sources",
             (long long)ind);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"source\": \"contracts\"}"), 400);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"source\": \"qual_count\", "
                                    "\"params\": {\"kind\": \"gaoqi\"}}"),
                     400);
    j = req_json(f, "POST", url,
                 "{\"source\": \"qual_count\", \"params\": {\"kind\": "
                 "\"hnte\"}}",
                 201);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    json_decref(j);

    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-06-30",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "status"), "ok");
    assert_string_equal(apitest_jstr(j, "value"), "3"); /* e4 ended in March */
    assert_int_equal(json_integer_value(json_object_get(j, "completion_bp")),
                     7500);
    json_decref(j);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-10-01",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "value"), "2"); /* e3 expired 09-30 */
    json_decref(j);
    /* the version-1 definition (manual) is still reproducible */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-10-01&version=1",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "source"), "manual");
    assert_string_equal(apitest_jstr(j, "status"), "no_data");
    json_decref(j);

    /* the trend of a stock is its value at each year's end, not a sum */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?date=2022-06-30",
             (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    d = json_array_get(json_object_get(j, "indicators"), 0);
    assert_string_equal(apitest_jstr(json_object_get(d, "district"), "value"),
                        "3");
    {
        json_t *tr = json_object_get(d, "trend");
        json_t *y2020 = json_array_get(tr, 1);
        json_t *y2021 = json_array_get(tr, 2);

        assert_int_equal(json_integer_value(json_object_get(y2020, "year")),
                         2020);
        assert_string_equal(apitest_jstr(y2020, "actual"), "3"); /* e1 e3 e4 */
        assert_string_equal(apitest_jstr(y2021, "actual"), "4");
    }
    d = json_array_get(json_object_get(j, "indicators"), 1);
    assert_string_equal(apitest_jstr(json_object_get(d, "district"), "status"),
                        "no_data");
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/sources",
             (long long)flow);
    j = req_json(f, "POST", url, "{\"source\": \"contracts\"}", 201);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/figure",
             (long long)flow);
    /* 技术合同成交额 comes from the contract register (none here: 0) */
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "status"), "ok");
    assert_string_equal(apitest_jstr(j, "value"), "0");
    json_decref(j);
    /* the pipeline source needs its tier and known stages */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(f, "POST", url,
                 "{\"seq\": 5, \"name\": \"培育库企业数\", \"unit\": \"家\"}",
                 201);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/sources",
             (long long)json_integer_value(json_object_get(j, "id")));
    json_decref(j);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"source\": \"pipeline_stage\", \"params\": "
                       "{\"stage\": \"selected\"}}"),
        400);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"source\": \"pipeline_stage\", \"params\": "
                       "{\"tier\": \"nosuch\", \"stage\": \"selected\"}}"),
        400);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"source\": \"pipeline_stage\", \"params\": "
                       "{\"tier\": \"hnte\", \"stage\": "
                       "\"admitted,admitted\"}}"),
        400);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"source\": \"pipeline_stage\", \"params\": "
                       "{\"tier\": \"hnte\", \"stage\": \"admitted,\"}}"),
        400);

    /* drill-down: every row for the bureau, own street's for an agent */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/rows?date=2022-06-30",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "agent_b", APITEST_ADMIN_PASSWORD),
                     200);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(j, "items"), 0), "enterprise_id")),
        e3);
    json_decref(j);
}

/* A new indicator of the plan (seq, name, unit) and, when source is not
 * NULL, its source definition (a JSON body of POST .../sources). */
static int64_t new_indicator(Fx *f, int seq, const char *name, const char *unit,
                             const char *source)
{
    char url[160];
    char body[512];
    json_t *j;
    int64_t id;

    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    snprintf(body, sizeof body,
             "{\"seq\": %d, \"name\": \"%s\", \"unit\": \"%s\"}", seq, name,
             unit);
    j = req_json(f, "POST", url, body, 201);
    id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    if (source) {
        snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/sources",
                 (long long)id);
        json_decref(req_json(f, "POST", url, source, 201));
    }
    return id;
}

/* The district value of the plan's first indicator in a figures answer. */
static const char *first_district_value(json_t *figures)
{
    return apitest_jstr(
        json_object_get(
            json_array_get(json_object_get(figures, "indicators"), 0),
            "district"),
        "value");
}

/* A pipeline entry of enterprise ent in batch, with its events: pairs of
 * (date, stage), oldest first; the entry's stage is the last one. */
static void add_entry(Fx *f, int64_t batch, int64_t ent, const char *const *ev,
                      size_t n_ev)
{
    int64_t id = 0;
    Err e;

    assert_int_equal(
        db_query_int64(f->t->db, &id, &e,
                       "INSERT INTO pipeline_entries (batch_id, enterprise_id, "
                       "stage, source, created_at, updated_at) VALUES ($1, $2, "
                       "$3, 'manual', 'x', 'x') RETURNING id",
                       "iit", batch, ent, ev[n_ev - 1]),
        0);
    for (size_t i = 0; i + 1 < n_ev; i += 2) {
        char at[32];

        snprintf(at, sizeof at, "%sT02:00:00Z", ev[i]);
        assert_int_equal(
            db_exec_v(f->t->db, &e,
                      "INSERT INTO pipeline_events (entry_id, at, user_name, "
                      "action, to_stage) VALUES ($1, $2, 'x', 'x', $3)",
                      "itt", id, at, ev[i + 1]),
            0);
    }
    audited(f, "pipeline.add", ent);
}

static int64_t add_batch(Fx *f, int year)
{
    int64_t id = 0;
    char name[32];
    Err e;

    snprintf(name, sizeof name, "%d年高企培育", year);
    assert_int_equal(
        db_query_int64(f->t->db, &id, &e,
                       "INSERT INTO pipeline_batches (tier, year, name, "
                       "review_chain, created_at, updated_at) VALUES ('hnte', "
                       "$1, $2, '[]', 'x', 'x') RETURNING id",
                       "it", (int64_t)year, name),
        0);
    return id;
}

/* Enterprises in pipeline stages as an indicator (stage on the date from
 * the transitions, unit scope, rows behind it), and the year-end forecast
 * weighting this year's pipeline by earlier years' conversion rates. */
static void test_pipeline_source(void **state)
{
    Fx *f = *state;
    static const char *const sel_cert[] = {
        "2021-03-01", "selected",    "2021-04-01", "admitted",
        "2021-05-01", "cultivating", "2021-11-01", "certified"};
    static const char *const sel_fail[] = {
        "2021-03-01", "selected",    "2021-04-01", "admitted",
        "2021-05-01", "cultivating", "2021-11-01", "not_certified"};
    static const char *const sel_only[] = {"2021-03-01", "selected",
                                           "2021-06-01", "withdrawn"};
    static const char *const now_cult[] = {"2022-02-01", "selected",
                                           "2022-03-01", "admitted",
                                           "2022-05-01", "cultivating"};
    static const char *const now_adm[] = {"2022-02-01", "selected",
                                          "2022-03-10", "admitted"};
    static const char *const now_sel[] = {"2022-02-01", "selected"};
    static const char *const now_rec[] = {"2022-02-01", "selected",
                                          "2022-02-15", "recommended"};
    int64_t b21 = add_batch(f, 2021);
    int64_t b22 = add_batch(f, 2022);
    int64_t ea = add_ent(f, 31, f->street_a);
    int64_t eb = add_ent(f, 32, f->street_b);
    json_t *j;
    json_t *it;
    char url[200];
    int64_t ind;
    int64_t qind;

    /* 2021: 4 selected, 3 of them admitted and cultivated, 2 certified */
    add_entry(f, b21, add_ent(f, 21, f->street_a), sel_cert, 8);
    add_entry(f, b21, add_ent(f, 22, f->street_a), sel_cert, 8);
    add_entry(f, b21, add_ent(f, 23, f->street_b), sel_fail, 8);
    add_entry(f, b21, add_ent(f, 24, f->street_b), sel_only, 4);
    /* 2022 */
    add_entry(f, b22, ea, now_cult, 6);
    add_entry(f, b22, eb, now_adm, 4);
    add_entry(f, b22, add_ent(f, 33, f->street_a), now_sel, 2);
    add_entry(f, b22, add_ent(f, 34, f->street_a), now_rec, 4);

    ind = new_indicator(f, 6, "高企培育库在库企业数", "家",
                        "{\"source\": \"pipeline_stage\", \"params\": "
                        "{\"tier\": \"hnte\", \"stage\": "
                        "\"admitted,cultivating\"}}");

    /* 30 June: ea cultivating, eb admitted; 5 March: only ea admitted;
     * end of 2021: the 2021 entries are all certified / failed / out */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-06-30",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "status"), "ok");
    assert_string_equal(apitest_jstr(j, "value"), "2");
    assert_true(json_is_true(json_object_get(j, "drill")));
    json_decref(j);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-03-05",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "value"), "1");
    json_decref(j);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2021-04-15",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "value"),
                        "3"); /* 2021's three, admitted */
    json_decref(j);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-06-30&unit_id=%lld",
             (long long)ind, (long long)f->street_b);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "value"), "1");
    json_decref(j);

    /* the rows behind it: the bureau sees both, street A's agent only ea */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/rows?date=2022-06-30",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    it = json_array_get(json_object_get(j, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(it, "enterprise_id")),
                     ea);
    assert_string_equal(apitest_jstr(it, "stage_name"), "培育中");
    assert_string_equal(apitest_jstr(it, "cert_no"),
                        "2022年高企培育（培育中）");
    assert_string_equal(apitest_jstr(it, "valid_from"), "2022-05-01");
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* forecast of the 高企 count: no certificate yet; the pipeline on 30
     * June weighted by 2021's rates: cultivating and admitted 2 of 3,
     * selected 2 of 4; recommended has no history and is left out */
    qind = new_indicator(f, 7, "高新技术企业数", "家",
                         "{\"source\": \"qual_count\", \"params\": "
                         "{\"kind\": \"hnte\"}}");
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/forecast?date=2022-06-30",
             (long long)qind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "current")), 0);
    /* 0.6666 + 0.6666 + 0.5 */
    assert_string_equal(apitest_jstr(j, "forecast"), "1.8332");
    {
        size_t i;
        int seen_rec = 0;
        int seen_cult = 0;

        json_array_foreach(json_object_get(j, "pipeline"), i, it)
        {
            if (strcmp(apitest_jstr(it, "stage"), "待审核") == 0) {
                seen_rec = 1;
                assert_true(json_is_null(json_object_get(it, "rate")));
                assert_string_equal(apitest_jstr(it, "expected"), "0");
            }
            if (strcmp(apitest_jstr(it, "stage"), "培育中") == 0) {
                seen_cult = 1;
                assert_int_equal(
                    json_integer_value(json_object_get(it, "count")), 1);
                assert_string_equal(apitest_jstr(it, "rate"), "66.6666");
                assert_non_null(strstr(apitest_jstr(it, "history"), "3 家"));
            }
        }
        if (!(seen_rec && seen_cult)) {
            fail_msg("%s", json_dumps(j, 0));
        }
    }
    json_decref(j);
}

/* The plan's figures are kept by data version (the newest audit entry):
 * asked again with nothing written, they are the kept ones (a row written
 * behind the application's back is not seen); after any audited write
 * they are computed again. */
static void test_figures_cached_by_data_version(void **state)
{
    Fx *f = *state;
    int64_t e1 = add_ent(f, 41, f->street_a);
    char url[160];
    json_t *j;
    Err e;

    add_qual(f, e1, "hnte", "2021-01-01", "2023-12-31", NULL);
    new_indicator(f, 3, "高新技术企业数量", "家",
                  "{\"source\": \"qual_count\", \"params\": {\"kind\": "
                  "\"hnte\"}}");
    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?date=2022-06-30",
             (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(first_district_value(j), "1");
    json_decref(j);
    /* unaudited: not seen */
    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "valid_from, valid_to, src_at, created_at, updated_at) "
                  "VALUES ($1, 'hnte', '2021-01-01', '2023-12-31', 'x', 'x', "
                  "'x')",
                  "i", add_ent(f, 42, f->street_a)),
        0);
    j = req_json(f, "GET", url, NULL, 200);
    /* add_ent audited its enterprise: the figures were computed again */
    assert_string_equal(first_district_value(j), "2");
    json_decref(j);
    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "UPDATE qualifications SET ended_on = '2022-01-01' WHERE "
                  "enterprise_id = $1",
                  "i", e1),
        0);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(first_district_value(j), "2");
    json_decref(j);
    audited(f, "qual.update", e1);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(first_district_value(j), "1");
    json_decref(j);
}

/* Manual figures: filed by the responsible unit, checked against the
 * unit and the period, reviewed by the office; only accepted ones count. */
/* Separation of duties: the plan office cannot accept (or return) a
 * district figure it filed itself; another reviewer can. */
static void test_actual_not_reviewed_by_author(void **state)
{
    Fx *f = *state;
    json_t *j;
    char url[160];
    int64_t ind, aid;
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(f, "POST", url,
                 "{\"seq\": 1, \"name\": \"全社会研发投入\", \"unit\": "
                 "\"亿元\"}",
                 201);
    ind = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/actuals",
             (long long)ind);
    j = req_json(f, "POST", url, "{\"period\": \"2022Q2\", \"value\": \"3\"}",
                 201);
    aid = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-actuals/%lld/review",
             (long long)aid);
    apitest_request(f->t, "POST", url, "{\"accept\": true}", NULL, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "不能审核本人填报的数据"));
    apiresp_release(&r);
    apitest_add_user(f->t, "office2", APITEST_ADMIN_PASSWORD, ROLE_STAFF,
                     f->t->root_id);
    assert_int_equal(apitest_login(f->t, "office2", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"accept\": true}"),
                     200);
}

static void test_manual_actuals(void **state)
{
    Fx *f = *state;
    json_t *j;
    char url[160];
    char body[256];
    int64_t ind;
    int64_t aid;
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(f, "POST", url,
                 "{\"seq\": 1, \"name\": \"研发支出与地区生产总值比值\", "
                 "\"unit\": \"%\"}",
                 201);
    ind = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);
    snprintf(body, sizeof body,
             "{\"year\": 2022, \"unit_id\": %lld, \"value\": \"2.5\"}",
             (long long)f->street_a);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);

    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/actuals",
             (long long)ind);
    apitest_request(f->t, "POST", url,
                    "{\"period\": \"2022Q2\", \"value\": \"101\"}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "不能超过 100"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022-06\", \"value\": "
                                    "\"2.6\"}"),
                     400);
    snprintf(body, sizeof body,
             "{\"unit_id\": %lld, \"period\": \"2022Q2\", \"value\": \"2\"}",
             (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 403);
    j = req_json(f, "POST", url,
                 "{\"period\": \"2022Q2\", \"value\": \"2.61\", \"note\": "
                 "\"统计局季报\"}",
                 201);
    aid = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    /* the filing unit cannot accept its own figure */
    snprintf(url, sizeof url, "/api/v1/plan-actuals/%lld/review",
             (long long)aid);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"accept\": true}"),
                     403);
    /* not counted until accepted */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-07-15&unit_id=%lld",
             (long long)ind, (long long)f->street_a);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "status"), "no_data");
    assert_int_equal(json_integer_value(json_object_get(j, "pending")), 1);
    json_decref(j);
    /* another street's figure is not visible to this agent */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?unit_id=%lld", (long long)ind,
             (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);

    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/plan-actuals/%lld/review",
             (long long)aid);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"accept\": false}"),
                     400); /* a return needs a reason */
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"accept\": true}"),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"accept\": true}"),
                     409);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/figure?date=2022-07-15&unit_id=%lld",
             (long long)ind, (long long)f->street_a);
    j = req_json(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(j, "status"), "ok");
    assert_string_equal(apitest_jstr(j, "value"), "2.61");
    assert_string_equal(apitest_jstr(j, "target"), "2.5");
    json_decref(j);
    /* a ratio is never summed: no units' total */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?date=2022-07-15",
             (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    {
        json_t *i1 = json_array_get(json_object_get(j, "indicators"), 0);

        assert_true(json_is_null(
            json_object_get(json_object_get(i1, "units_target"), "2022")));
        assert_non_null(strstr(apitest_jstr(i1, "units_target_note"), "比率"));
    }
    json_decref(j);
    /* a ratio has no rows to drill into */
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/rows",
             (long long)ind);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 400);
    /* exports: the figures in the plan's layout and the task list */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/figures?format=csv",
             (long long)f->plan);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "研发支出与地区生产总值比值（%）"));
    apiresp_release(&r);
}

static int64_t unit_named(Fx *f, const char *name)
{
    int64_t id = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &id, &e,
                                    "SELECT id FROM org_units WHERE name = $1",
                                    "t", name),
                     0);
    return id;
}

static int64_t task_id(Fx *f, int seq)
{
    int64_t id = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &id, &e,
                                    "SELECT id FROM plan_tasks WHERE seq = $1",
                                    "i", (int64_t)seq),
                     0);
    return id;
}

static const char *task_status(Fx *f, int seq)
{
    static char st[32];
    char url[64];
    json_t *j;
    size_t i;
    json_t *t;

    st[0] = '\0';
    snprintf(url, sizeof url, "/api/v1/plans/%lld/tasks", (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(j, "items"), i, t)
    {
        if (json_integer_value(json_object_get(t, "seq")) == seq) {
            snprintf(st, sizeof st, "%s", apitest_jstr(t, "status"));
        }
    }
    json_decref(j);
    return st;
}

/* The report flow: a responsible unit files, the lead unit consolidates,
 * the office returns or accepts; an accepted period is final. 督办 with a
 * past deadline is overdue and escalated, visible to its unit only. */
/* Files on a progress report (佐证材料), as its unit files it: checked
 * name and content, listed, downloaded as uploaded, readable by whoever
 * sees the task, added only by the report's unit, deleted with a reason.
 * Called as hr_user (the responsible unit) right after filing. */
static void attach_flow(Fx *f, int64_t report)
{
    char url[256];
    char base[160];
    json_t *j;
    ApiResp r;
    int64_t id;

    snprintf(base, sizeof base,
             "/api/v1/attachments?owner_type=plan_report&owner_id=%lld",
             (long long)report);
    snprintf(url, sizeof url, "%s&file_name=%s", base,
             "%E4%BA%BA%E6%89%8D%E5%90%8D%E5%8D%95.pdf"); /* 人才名单.pdf */
    apitest_request(f->t, "POST", url, "%PDF-1.4 名单", NULL, &r);
    assert_int_equal(r.status, 201);
    id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    /* refused: no name, a type not accepted, content not of its type, a
     * name with a path, an unknown owner, a report that does not exist */
    assert_int_equal(apitest_status(f->t, "POST", base, "%PDF-1.4"), 400);
    snprintf(url, sizeof url, "%s&file_name=run.exe", base);
    assert_int_equal(apitest_status(f->t, "POST", url, "MZ"), 400);
    snprintf(url, sizeof url, "%s&file_name=a.pdf", base);
    apitest_request(f->t, "POST", url, "not a pdf", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "与扩展名 .pdf 不符"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "%s&file_name=..%%2Fa.pdf", base);
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.4"), 400);
    assert_int_equal(apitest_status(f->t, "POST",
                                    "/api/v1/attachments?owner_type=x&"
                                    "owner_id=1&file_name=a.pdf",
                                    "%PDF-1.4"),
                     400);
    assert_int_equal(apitest_status(f->t, "POST",
                                    "/api/v1/attachments?owner_type="
                                    "plan_report&owner_id=999999&file_name=a."
                                    "pdf",
                                    "%PDF-1.4"),
                     404);
    /* listed and downloaded as uploaded */
    j = req_json(f, "GET", base, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(j, "items"), 0), "name"),
        "人才名单.pdf");
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/attachments/%lld/content",
             (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, strlen("%PDF-1.4 名单"));
    assert_memory_equal(r.body, "%PDF-1.4 名单", r.body_len);
    assert_string_equal(apiresp_header(&r, "Content-Type"), "application/pdf");
    assert_non_null(
        strstr(apiresp_header(&r, "Content-Disposition"), "attachment"));
    apiresp_release(&r);
    /* the lead unit sees the task: reads, but does not add */
    assert_int_equal(apitest_login(f->t, "talent", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
    snprintf(url, sizeof url, "%s&file_name=b.pdf", base);
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.4 b"), 403);
    /* deleted by the filing unit, with a reason */
    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.4 b"), 201);
    snprintf(url, sizeof url, "/api/v1/attachments/%lld", (long long)id);
    assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 400);
    snprintf(url, sizeof url, "/api/v1/attachments/%lld?reason=%s",
             (long long)id, "%E4%BC%A0%E9%94%99"); /* 传错 */
    assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 204);
    assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 404);
    j = req_json(f, "GET", base, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(j, "items"), 0), "name"),
        "b.pdf");
    json_decref(j);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'attach.delete' AND after_json LIKE '%传错%'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM attachments"), 2);
}

static void test_task_reports_and_notices(void **state)
{
    int64_t report = 0;
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_tasks.csv", &len);
    json_t *p = preview(f, "tasks", csv);
    json_t *j;
    char body[512];
    char url[128];
    int64_t t5;
    int64_t t1;
    int64_t hr;
    int64_t nid;

    snprintf(body, sizeof body,
             "{\"units\": {\"区科技局\": %lld, \"区市场监管局\": \"new\", "
             "\"区税务局\": \"new\", \"区人才办\": \"new\", \"区财政局\": "
             "\"new\", \"区发改委\": \"new\", \"区人社局\": \"new\"}}",
             (long long)f->t->root_id);
    apply_ok(f, json_integer_value(json_object_get(p, "id")), body);
    json_decref(p);
    free(csv);
    hr = unit_named(f, "区人社局");
    apitest_add_user(f->t, "hr_user", APITEST_ADMIN_PASSWORD, ROLE_DEPT, hr);
    apitest_add_user(f->t, "talent", APITEST_ADMIN_PASSWORD, ROLE_DEPT,
                     unit_named(f, "区人才办"));
    t5 = task_id(f, 5); /* lead 区人才办, responsible 区人社局 区科技局 */
    t1 = task_id(f, 1);
    /* units of each task, and the export in the table's layout */
    {
        ApiResp r;

        snprintf(url, sizeof url, "/api/v1/plans/%lld/tasks",
                 (long long)f->plan);
        j = req_json(f, "GET", url, NULL, 200);
        assert_int_equal(
            json_array_size(json_object_get(
                json_array_get(json_object_get(j, "items"), 1), "units")),
            4); /* 区科技局; 区市场监管局 区税务局 区人才办 */
        json_decref(j);
        snprintf(url, sizeof url, "/api/v1/plans/%lld/tasks?format=csv",
                 (long long)f->plan);
        apitest_request(f->t, "GET", url, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "区市场监管局、区税务局、区人才办"));
        apiresp_release(&r);
    }
    /* a dated task past its deadline is late */
    assert_string_equal(task_status(f, 1), "late");
    assert_string_equal(task_status(f, 5), "on_track");

    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/reports", (long long)t5);
    j = req_json(f, "POST", url,
                 "{\"period\": \"2022Q3\", \"text\": \"引进人才团队 3 个\"}",
                 201);
    report = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    attach_flow(f, report);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022-09\", \"text\": "
                                    "\"x\"}"),
                     400);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/reports", (long long)t1);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"不是本单位的任务\"}"),
                     403);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/consolidate",
             (long long)t5);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"汇总\"}"),
                     403); /* not the lead */

    assert_int_equal(apitest_login(f->t, "talent", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"本季度引育团队 3 个\"}"),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q2\", \"text\": "
                                    "\"无报送\"}"),
                     409);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/review", (long long)t5);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"period\": \"2022Q3\", \"accept\": true}"),
        403); /* only the office */

    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"period\": \"2022Q3\", \"accept\": false}"),
        400);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"accept\": "
                                    "false, \"note\": \"请补充数据\"}"),
                     200);
    assert_string_equal(task_status(f, 5), "at_risk");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'plan.report.review' AND after_json LIKE "
                              "'%请补充数据%'"),
                     1);

    /* filed again, consolidated, accepted: final */
    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/reports", (long long)t5);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"引进人才团队 3 个，附名单\"}"),
                     201);
    assert_int_equal(apitest_login(f->t, "talent", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/consolidate",
             (long long)t5);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"已补充\"}"),
                     200);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/review", (long long)t5);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"period\": \"2022Q3\", \"accept\": true}"),
        200);
    assert_string_equal(task_status(f, 5), "on_track");
    /* a judgement is one of the task statuses a unit may declare; the
     * message names them as the served status table does */
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/judgement",
             (long long)t5);
    j = req_json(f, "PUT", url, "{\"judgement\": \"late\"}", 400);
    assert_string_equal(apitest_jstr(json_object_get(j, "error"), "message"),
                        "判断应为 at_risk（有风险）、done（已完成）或 null");
    json_decref(j);
    j = req_json(f, "PUT", url, "{\"judgement\": \"maybe\"}", 400);
    json_decref(j);
    assert_string_equal(task_status(f, 5), "on_track");
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/reports", (long long)t5);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(j, "items"), 0), "status"),
        "accepted");
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"period\": \"2022Q3\", \"text\": "
                                    "\"再报\"}"),
                     409);
    /* an accepted report's files are final */
    snprintf(url, sizeof url,
             "/api/v1/attachments?owner_type=plan_report&owner_id=%lld&"
             "file_name=b.pdf",
             (long long)report);
    assert_int_equal(apitest_status(f->t, "POST", url, "%PDF-1.7 b"), 409);

    /* 督办 */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/notices", (long long)f->plan);
    snprintf(body, sizeof body,
             "{\"unit_id\": %lld, \"text\": \"请于期限内报送人才引育名单\", "
             "\"deadline\": \"2022-10-15\"}",
             (long long)hr);
    j = req_json(f, "POST", url, body, 201);
    nid = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_true(json_is_true(json_object_get(
        json_array_get(json_object_get(j, "items"), 0), "escalated")));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-notices/%lld/close",
             (long long)nid);
    assert_int_equal(apitest_status(f->t, "POST", url, NULL), 403);
    snprintf(url, sizeof url, "/api/v1/plan-notices/%lld/answer",
             (long long)nid);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"answer\": \"已报送\"}"), 204);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/plan-notices/%lld/close",
             (long long)nid);
    assert_int_equal(apitest_status(f->t, "POST", url, NULL), 204);
    assert_int_equal(apitest_status(f->t, "POST", url, NULL), 409);

    /* 联席会议: decisions become notices; a bad one writes nothing */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/meetings",
             (long long)f->plan);
    snprintf(
        body, sizeof body,
        "{\"held_on\": \"2022-10-08\", \"title\": \"第三季度联席会议\", "
        "\"problems\": \"人才引育进度偏慢\", \"decisions\": [{\"unit_id\": "
        "%lld, \"text\": \"11月底前报送引育名单\", \"deadline\": "
        "\"2022-11-30\"}, {\"unit_id\": 999999, \"text\": \"x\", "
        "\"deadline\": \"2022-11-30\"}]}",
        (long long)hr);
    {
        ApiResp r;

        apitest_request(f->t, "POST", url, body, NULL, &r);
        assert_int_equal(r.status, 400);
        assert_non_null(strstr(r.body, "第 2 项会议决定"));
        apiresp_release(&r);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM plan_meetings"), 0);
    snprintf(body, sizeof body,
             "{\"held_on\": \"2022-10-08\", \"title\": \"第三季度联席会议\", "
             "\"decisions\": [{\"unit_id\": %lld, \"text\": "
             "\"11月底前报送引育名单\", \"deadline\": \"2022-11-30\"}]}",
             (long long)hr);
    j = req_json(f, "POST", url, body, 201);
    json_decref(j);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(j, "items"), 0), "open_decisions")),
        1);
    json_decref(j);
    assert_int_equal(apitest_login(f->t, "hr_user", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/notices?open=1",
             (long long)f->plan);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_true(json_is_integer(json_object_get(
        json_array_get(json_object_get(j, "items"), 0), "meeting_id")));
    json_decref(j);
}

static json_t *eval_unit_row(json_t *ev, int64_t unit)
{
    size_t i;
    json_t *u;

    json_array_foreach(json_object_get(json_object_get(ev, "result"), "units"),
                       i, u)
    {
        if (json_integer_value(json_object_get(u, "unit_id")) == unit) {
            return u;
        }
    }
    fail_msg("unit %lld not evaluated", (long long)unit);
    return NULL;
}

/* Quarterly evaluation: scores from target completion and task status,
 * ranks, scheme versions, publishing freezes the quarter, a re-run is a
 * new version and leaves the published one as it was; the year-end
 * forecast of a stock with its assumptions. */
static void test_evaluation_and_forecast(void **state)
{
    Fx *f = *state;
    size_t len;
    char *csv = slurp(DATA "hedong_tasks.csv", &len);
    json_t *p = preview(f, "tasks", csv);
    json_t *j;
    json_t *ev1;
    char body[512];
    char url[160];
    int64_t ind;
    int64_t ev1_id;
    int64_t e5;

    snprintf(body, sizeof body,
             "{\"units\": {\"区科技局\": %lld, \"区市场监管局\": \"new\", "
             "\"区税务局\": \"new\", \"区人才办\": \"new\", \"区财政局\": "
             "\"new\", \"区发改委\": \"new\", \"区人社局\": \"new\"}}",
             (long long)f->t->root_id);
    apply_ok(f, json_integer_value(json_object_get(p, "id")), body);
    json_decref(p);
    free(csv);
    add_qual(f, add_ent(f, 11, f->street_a), "hnte", "2021-01-01", "2023-12-31",
             NULL);
    add_qual(f, add_ent(f, 12, f->street_a), "hnte", "2020-10-01", "2022-11-30",
             NULL);
    add_qual(f, add_ent(f, 13, f->street_b), "hnte", "2021-01-01", "2023-12-31",
             NULL);
    e5 = add_ent(f, 14, f->street_b);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/indicators",
             (long long)f->plan);
    j = req_json(
        f, "POST", url,
        "{\"seq\": 3, \"name\": \"高新技术企业数量\", \"unit\": \"家\"}", 201);
    ind = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/sources",
             (long long)ind);
    j = req_json(f, "POST", url,
                 "{\"source\": \"qual_count\", \"params\": {\"kind\": "
                 "\"hnte\"}}",
                 201);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plan-indicators/%lld/targets",
             (long long)ind);
    snprintf(body, sizeof body,
             "{\"year\": 2022, \"unit_id\": %lld, \"value\": \"2\"}",
             (long long)f->street_a);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);
    snprintf(body, sizeof body,
             "{\"year\": 2022, \"unit_id\": %lld, \"value\": \"2\"}",
             (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"year\": 2022, \"value\": \"5\"}"),
        204);

    check_figures_match(f, "2022-06-30");
    check_figures_match(f, "2022-12-01");
    check_figures_match(f, "2021-12-31");

    /* default scheme 60 / 40: 大王庄 2/2 and tasks on track; 大直沽 1/2 */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/evaluations",
             (long long)f->plan);
    ev1 = req_json(f, "POST", url, "{\"quarter\": \"2022Q3\"}", 201);
    ev1_id = json_integer_value(json_object_get(ev1, "id"));
    assert_int_equal(json_integer_value(json_object_get(ev1, "version")), 1);
    j = eval_unit_row(ev1, f->street_a);
    assert_int_equal(json_integer_value(json_object_get(j, "score_bp")), 10000);
    assert_int_equal(json_integer_value(json_object_get(j, "rank")), 1);
    j = eval_unit_row(ev1, f->street_b);
    assert_int_equal(json_integer_value(json_object_get(j, "indicator_bp")),
                     5000);
    assert_int_equal(json_integer_value(json_object_get(j, "score_bp")), 7000);
    assert_true(json_integer_value(json_object_get(j, "rank")) > 1);
    json_decref(ev1);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"quarter\": \"2023Q1\"}"), 400);

    /* a task linked to the indicator (3 of 5 on 30 September, 60 %) is
     * at risk: 区税务局 (tasks 2 and 3) gets (100 + 60) / 2 for tasks */
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/indicators",
             (long long)task_id(f, 3));
    snprintf(body, sizeof body, "{\"indicator_ids\": [%lld]}", (long long)ind);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 204);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"indicator_ids\": [999999]}"), 400);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/evaluations",
             (long long)f->plan);
    j = req_json(f, "POST", url, "{\"quarter\": \"2022Q3\"}", 201);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(
            eval_unit_row(j, unit_named(f, "区税务局")), "task_bp")),
        8000);
    json_decref(j);

    /* a new scheme version; the re-run is version 3 */
    snprintf(url, sizeof url, "/api/v1/plans/%lld/schemes", (long long)f->plan);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"weights\": {\"indicator\": 0, "
                                    "\"task\": 0}}"),
                     400);
    j = req_json(f, "POST", url,
                 "{\"weights\": {\"indicator\": 100, \"task\": 0}}", 201);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/evaluations",
             (long long)f->plan);
    j = req_json(f, "POST", url, "{\"quarter\": \"2022Q3\"}", 201);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "scheme_version")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(
                         eval_unit_row(j, f->street_b), "score_bp")),
                     5000);
    json_decref(j);

    /* publish version 1: frozen */
    snprintf(url, sizeof url, "/api/v1/plan-evaluations/%lld/publish",
             (long long)ev1_id);
    assert_int_equal(apitest_status(f->t, "POST", url, NULL), 200);
    assert_int_equal(apitest_status(f->t, "POST", url, NULL), 409);
    snprintf(url, sizeof url, "/api/v1/plan-tasks/%lld/reports",
             (long long)task_id(f, 1));
    snprintf(body, sizeof body,
             "{\"unit_id\": %lld, \"period\": \"2022Q3\", \"text\": "
             "\"补报\"}",
             (long long)f->street_a);
    {
        ApiResp r;

        apitest_request(f->t, "POST", url, body, NULL, &r);
        assert_int_equal(r.status, 409);
        assert_non_null(strstr(r.body, "已冻结"));
        apiresp_release(&r);
    }
    snprintf(body, sizeof body,
             "{\"unit_id\": %lld, \"period\": \"2022Q4\", \"text\": "
             "\"四季度进展\"}",
             (long long)f->street_a);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 201);

    /* later data do not rewrite the published version */
    add_qual(f, e5, "hnte", "2022-01-01", "2024-12-31", NULL);
    snprintf(url, sizeof url, "/api/v1/plans/%lld/evaluations",
             (long long)f->plan);
    j = req_json(f, "POST", url, "{\"quarter\": \"2022Q3\"}", 201);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 4);
    assert_int_equal(json_integer_value(json_object_get(
                         eval_unit_row(j, f->street_b), "score_bp")),
                     10000);
    json_decref(j);
    j = req_json(f, "GET", url, NULL, 200);
    {
        size_t i;
        json_t *it;
        int seen = 0;

        json_array_foreach(json_object_get(j, "items"), i, it)
        {
            if (json_integer_value(json_object_get(it, "id")) == ev1_id) {
                seen = 1;
                assert_string_equal(apitest_jstr(it, "status"), "published");
                assert_int_equal(
                    json_integer_value(json_object_get(
                        eval_unit_row(it, f->street_b), "score_bp")),
                    7000);
            }
        }
        assert_true(seen);
    }
    json_decref(j);

    /* forecast at 2022-06-30: 4 valid, 1 lapses before year end (e12),
     * half of it renewed, 10 in the pipeline at 30 % */
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/forecast?date=2022-06-30&renew=50&"
             "pipeline=%%E7%%94%%B3%%E6%%8A%%A5%%E4%%B8%%AD:10:30",
             (long long)ind);
    j = req_json(f, "GET", url, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "current")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "expiring")), 1);
    assert_string_equal(apitest_jstr(j, "renewed"), "0.5");
    assert_string_equal(apitest_jstr(j, "forecast"),
                        "6.5"); /* 4 - 1 + 0.5 + 3 */
    assert_string_equal(apitest_jstr(j, "target"), "5");
    assert_string_equal(apitest_jstr(j, "gap"), "1.5");
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(j, "pipeline"), 0),
                     "stage"),
        "申报中");
    assert_true(json_array_size(json_object_get(j, "assumptions")) >= 3);
    json_decref(j);
    snprintf(url, sizeof url,
             "/api/v1/plan-indicators/%lld/forecast?pipeline=x:1",
             (long long)ind);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_targets_csv, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_targets_paste_and_xlsx,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_targets_bad, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_figures_from_records, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_figures_cached_by_data_version,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_manual_actuals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actual_not_reviewed_by_author,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_reports_and_notices, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_evaluation_and_forecast, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
