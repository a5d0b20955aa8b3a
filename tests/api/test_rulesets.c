/* test_rulesets.c - /api/v1/rulesets through the real dispatcher: the list
 * with sources (内置/目录), status and metadata; the ladders and input
 * fields (/reference/rules); one rule set with its text
 * and case results; diffs; checking a draft with line:col errors; reload
 * for administrators only, audited, and a reload with a bad file answered
 * 400 with every error while the previous version keeps serving. Run from
 * the source root (tests/data/rules/...). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "common/apitest.h"
#include "domain/eligibility/ruleset.h"
#include "rules/embedded.h"

#define DIR_OK "tests/data/rules/dir-ok"

typedef struct Fx {
    ApiTest *t;
    int64_t street;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    Err e;

    assert_non_null(f);
    log_set_level(LOG_ERROR);
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(DIR_OK, NULL, &e), 0);
    f->t = apitest_new();
    f->street =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street);
    apitest_add_user(f->t, "staff_a", "Staff12345", ROLE_STAFF, f->t->root_id);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
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

/* The item of a list with "id" == id, or NULL. */
static json_t *find_item(json_t *items, const char *id)
{
    size_t i;
    json_t *it;

    json_array_foreach(items, i, it)
    {
        if (strcmp(apitest_jstr(it, "id"), id) == 0) {
            return it;
        }
    }
    return NULL;
}

/* JSON body {"source": text}; caller frees. */
static char *source_body(const char *text)
{
    json_t *o = json_pack("{ss}", "source", text);
    char *s = json_dumps(o, 0);

    json_decref(o);
    return s;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n;

    assert_non_null(fp);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_list(void **state)
{
    Fx *f = *state;
    json_t *it;
    json_t *items;
    ApiResp r;

    apitest_request(f->t, "GET", "/api/v1/rulesets", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")),
                     kc_n_rule_files + 1);
    assert_int_equal(json_array_size(items), kc_n_rule_files + 1);
    assert_string_equal(apitest_jstr(r.json, "dir"), DIR_OK);

    it = find_item(items, "unicorn-2017");
    assert_non_null(it);
    assert_string_equal(apitest_jstr(it, "source"), "目录");
    assert_string_equal(apitest_jstr(it, "name"), "独角兽企业（目录版）");
    assert_string_equal(apitest_jstr(it, "file"), DIR_OK "/unicorn-2017.kcr");
    it = find_item(items, "sme-2017");
    assert_string_equal(apitest_jstr(it, "source"), "内置");
    assert_string_equal(apitest_jstr(it, "status"), "confirmed");
    assert_string_equal(apitest_jstr(it, "status_name"), "已核实");
    assert_string_equal(apitest_jstr(it, "effective_from"), "2017-05-03");
    assert_true(json_is_null(json_object_get(it, "effective_to")));
    assert_string_equal(apitest_jstr(it, "doc"), "国科发政〔2017〕115号");
    assert_string_equal(apitest_jstr(it, "region"), "全国");
    assert_true(json_array_size(json_object_get(it, "sources")) >= 2);
    assert_int_equal(strlen(apitest_jstr(it, "hash")), 64);

    it = find_item(items, "staff-test");
    assert_non_null(it);
    assert_string_equal(apitest_jstr(it, "source"), "目录");
    assert_string_equal(apitest_jstr(it, "status"), "unverified");
    assert_string_equal(apitest_jstr(it, "status_name"), "未核实");
    /* every rule set is named from the served check statuses */
    {
        ApiResp lr;
        json_t *x, *s;
        size_t i, k;

        apitest_request(f->t, "GET", "/api/v1/reference/labels", NULL, NULL,
                        &lr);
        assert_int_equal(lr.status, 200);
        s = json_object_get(lr.json, "verify_statuses");
        assert_int_equal(json_array_size(s), 2);
        json_array_foreach(items, i, x)
        {
            const char *name = NULL;
            for (k = 0; k < json_array_size(s); k++) {
                if (strcmp(apitest_jstr(json_array_get(s, k), "value"),
                           apitest_jstr(x, "status")) == 0) {
                    name = apitest_jstr(json_array_get(s, k), "label");
                }
            }
            assert_non_null(name);
            assert_string_equal(apitest_jstr(x, "status_name"), name);
        }
        apiresp_release(&lr);
    }
    assert_string_equal(apitest_jstr(it, "issuer"), "测试单位");
    assert_string_equal(apitest_jstr(it, "tier"), "test");
    assert_int_equal(json_integer_value(json_object_get(it, "n_cases")), 2);
    assert_true(json_is_true(json_object_get(it, "in_force")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(it, "sources"), 0)),
        "测试来源一");

    /* one version of a tier applies on a date: sme-2022 supersedes
     * sme-2017 from 2022-01-01 (both are "in force", one is current) */
    assert_true(json_is_false(
        json_object_get(find_item(items, "sme-2017"), "current")));
    assert_string_equal(
        apitest_jstr(find_item(items, "sme-2017"), "superseded_by"),
        "sme-2022");
    assert_true(
        json_is_true(json_object_get(find_item(items, "sme-2022"), "current")));
    assert_true(json_is_null(
        json_object_get(find_item(items, "sme-2022"), "superseded_by")));
    assert_true(json_is_true(
        json_object_get(find_item(items, "hnte-2016"), "current")));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/rulesets?as_of=2021-06-30", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    it = find_item(items, "sme-2017");
    assert_true(json_is_true(json_object_get(it, "current")));
    assert_true(json_is_true(json_object_get(it, "in_force")));
    assert_true(json_is_null(json_object_get(it, "superseded_by")));
    it = find_item(items, "sme-2022");
    assert_true(json_is_false(json_object_get(it, "in_force")));
    assert_true(json_is_false(json_object_get(it, "current")));
    /* each tier has exactly one current version on the date */
    {
        size_t k, m;
        json_t *a, *b;

        json_array_foreach(items, k, a)
        {
            int n_cur = 0;
            json_array_foreach(items, m, b)
            {
                n_cur += strcmp(apitest_jstr(a, "tier"),
                                apitest_jstr(b, "tier")) == 0 &&
                         json_is_true(json_object_get(b, "current"));
            }
            assert_int_equal(
                n_cur,
                json_is_true(json_object_get(a, "in_force")) || n_cur ? 1 : 0);
        }
    }
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/rulesets?as_of=2021-13-01", NULL),
        400);

    /* every role may read it; the directory path is for administrators */
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    apitest_request(f->t, "GET", "/api/v1/rulesets", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "dir"));
    assert_string_equal(apitest_jstr(find_item(json_object_get(r.json, "items"),
                                               "unicorn-2017"),
                                     "file"),
                        "unicorn-2017.kcr");
    apiresp_release(&r);
    apitest_logout_local(f->t);
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/rulesets", NULL),
                     401);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* GET /reference/rules: the ladders with tier names and the input fields;
 * every built-in rule set's tier is a tier of a ladder, with its name in
 * the list (tier_name), so no page shows a bare tier code. */
static void test_reference(void **state)
{
    Fx *f = *state;
    json_t *ladders, *fields, *l, *t, *it;
    size_t i, j, n_tiers = 0;
    int seen_rd = 0, seen_est = 0;
    ApiResp r, list;

    apitest_request(f->t, "GET", "/api/v1/reference/rules", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    ladders = json_object_get(r.json, "ladders");
    assert_int_equal(json_array_size(ladders), 4);
    l = json_array_get(ladders, 0);
    assert_string_equal(apitest_jstr(l, "name"),
                        "科技型中小企业 → 高新技术企业");
    t = json_array_get(json_object_get(l, "tiers"), 1);
    assert_string_equal(apitest_jstr(t, "tier"), "hnte");
    assert_string_equal(apitest_jstr(t, "name"), "高新技术企业");

    apitest_request(f->t, "GET", "/api/v1/rulesets", NULL, NULL, &list);
    json_array_foreach(json_object_get(list.json, "items"), i, it)
    {
        int found = 0;
        if (strcmp(apitest_jstr(it, "source"), "内置") != 0) {
            continue;
        }
        json_array_foreach(ladders, j, l)
        {
            size_t k;
            json_array_foreach(json_object_get(l, "tiers"), k, t)
            {
                if (strcmp(apitest_jstr(t, "tier"), apitest_jstr(it, "tier")) ==
                    0) {
                    found = 1;
                    assert_string_equal(apitest_jstr(t, "name"),
                                        apitest_jstr(it, "tier_name"));
                }
            }
        }
        if (!found) {
            fail_msg("%s: tier %s is on no ladder", apitest_jstr(it, "id"),
                     apitest_jstr(it, "tier"));
        }
        n_tiers++;
    }
    assert_true(n_tiers >= 10);
    /* a tier on no ladder keeps its code as its name */
    assert_string_equal(
        apitest_jstr(
            find_item(json_object_get(list.json, "items"), "staff-test"),
            "tier_name"),
        "test");
    apiresp_release(&list);

    fields = json_object_get(r.json, "fields");
    assert_true(json_array_size(fields) > 50);
    json_array_foreach(fields, i, it)
    {
        if (strcmp(apitest_jstr(it, "name"), "rd_expense") == 0) {
            seen_rd = 1;
            assert_string_equal(apitest_jstr(it, "label"), "研发费用");
            assert_string_equal(apitest_jstr(it, "unit"), "yuan");
            assert_string_equal(apitest_jstr(it, "type"), "wan_yuan");
            assert_true(json_is_true(json_object_get(it, "yearly")));
        } else if (strcmp(apitest_jstr(it, "name"), "established") == 0) {
            seen_est = 1;
            assert_string_equal(apitest_jstr(it, "unit"), "date");
            assert_string_equal(apitest_jstr(it, "type"), "date");
            assert_true(json_is_false(json_object_get(it, "yearly")));
        }
    }
    assert_true(seen_rd && seen_est);

    /* the verdicts: codes as the API writes verdict, names as it writes
     * verdict_name (the UI keeps only their colours) */
    {
        static const char *const want[][2] = {
            {"met", "达标"},          {"unmet", "未达标"},
            {"unknown", "缺数据"},    {"expert", "待专家评审"},
            {"manual", "待人工确认"}, {"conflict", "数据矛盾"}};
        json_t *vs = json_object_get(r.json, "verdicts");
        assert_int_equal(json_array_size(vs), 6);
        for (i = 0; i < 6; i++) {
            assert_string_equal(apitest_jstr(json_array_get(vs, i), "code"),
                                want[i][0]);
            assert_string_equal(apitest_jstr(json_array_get(vs, i), "name"),
                                want[i][1]);
        }
    }
    apiresp_release(&r);

    /* any logged-in user; nobody else */
    apitest_logout_local(f->t);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/reference/rules", NULL), 401);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

static void test_get(void **state)
{
    Fx *f = *state;
    char *text = slurp(DIR_OK "/staff-test.kcr");
    json_t *cases;
    ApiResp r;

    apitest_request(f->t, "GET", "/api/v1/rulesets/staff-test", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "id"), "staff-test");
    assert_string_equal(apitest_jstr(r.json, "text"), text);
    cases = json_object_get(r.json, "cases");
    assert_int_equal(json_array_size(cases), 2);
    assert_string_equal(apitest_jstr(json_array_get(cases, 0), "name"),
                        "100 人达标");
    assert_true(json_is_true(json_object_get(json_array_get(cases, 1), "ok")));
    assert_int_equal(
        json_integer_value(json_object_get(r.json, "cases_failed")), 0);
    apiresp_release(&r);
    free(text);

    apitest_request(f->t, "GET", "/api/v1/rulesets/hnte-2016", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "cases")) > 10);
    assert_int_equal(
        json_integer_value(json_object_get(r.json, "cases_failed")), 0);
    assert_string_equal(apitest_jstr(r.json, "source"), "内置");
    apiresp_release(&r);

    apitest_request(f->t, "GET", "/api/v1/rulesets/no-such", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "no-such"));
    apiresp_release(&r);
}

static void test_diff(void **state)
{
    Fx *f = *state;
    char url[512];
    ApiResp r;

    /* no against: what the directory changed against the built-in */
    apitest_request(f->t, "GET", "/api/v1/rulesets/unicorn-2017/diff", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "differences")),
                     1);
    assert_non_null(strstr(apitest_jstr(r.json, "text"), "目录版"));
    apiresp_release(&r);

    /* a built-in not overridden: no difference */
    apitest_request(f->t, "GET", "/api/v1/rulesets/sme-2017/diff", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "differences")),
                     0);
    apiresp_release(&r);

    apitest_request(f->t, "GET",
                    "/api/v1/rulesets/sme-2017/diff?against=sme-2022", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "against"), "sme-2022");
    assert_true(json_integer_value(json_object_get(r.json, "differences")) > 0);
    apiresp_release(&r);

    /* against as text: the threshold raised to 200 */
    snprintf(url, sizeof url, "/api/v1/rulesets/staff-test/diff?against=%s",
             "ruleset%20staff-test%20%22x%22%0Astatus%20unverified%0Alet%20y%"
             "20%3D%20year%20-%201%0Acheck%20big%20%22x%22%20%3D%20employees%"
             "5By%5D%20%3E%3D%20200%0Apass%20%3D%20big%0A");
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_integer_value(json_object_get(r.json, "differences")) > 0);
    assert_non_null(strstr(apitest_jstr(r.json, "text"), "200"));
    apiresp_release(&r);

    apitest_request(f->t, "GET",
                    "/api/v1/rulesets/staff-test/diff?against=ruleset%20%22",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "against");
    assert_non_null(strstr(r.body, "对比文本:1:"));
    apiresp_release(&r);
}

static void test_check(void **state)
{
    Fx *f = *state;
    char *good = slurp("tests/data/rules/staff-test-200.kcr");
    char *bad = slurp("tests/data/rules/syntax.kcr");
    char *body;
    json_t *err;
    ApiResp r;

    /* any role may check; checking writes nothing */
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    body = source_body(good);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    assert_string_equal(apitest_jstr(r.json, "id"), "staff-test");
    assert_true(json_is_true(json_object_get(r.json, "in_table")));
    assert_int_equal(json_array_size(json_object_get(r.json, "cases")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(r.json, "cases_failed")), 0);
    assert_true(json_integer_value(json_object_get(r.json, "differences")) > 0);
    apiresp_release(&r);
    free(body);

    body = source_body(bad);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "ok")));
    err = json_array_get(json_object_get(r.json, "errors"), 0);
    assert_non_null(err);
    assert_int_equal(json_integer_value(json_object_get(err, "line")), 4);
    assert_int_equal(json_integer_value(json_object_get(err, "col")), 36);
    assert_string_equal(apitest_jstr(err, "file"), "草稿");
    assert_true(strncmp(apitest_jstr(err, "text"), "草稿:4:36: ", 13) == 0);
    assert_true(strlen(apitest_jstr(err, "message")) > 0);
    apiresp_release(&r);
    free(body);

    apitest_request(f->t, "POST", "/api/v1/rulesets/check", "{}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "source");
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/rulesets/check",
                                    "{\"source\": \"x\", \"extra\": 1}"),
                     400);
    free(good);
    free(bad);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* A draft whose let is a chain of 5,300 + terms (the reported crash: the
 * evaluator recursed once per term and overflowed a request thread's
 * stack) is answered with a line:col error, for the read-only leader role
 * and a read-only token too, and the server keeps answering. */
static void test_check_long_chain(void **state)
{
    Fx *f = *state;
    size_t cap = (size_t)200 * 1024, len = 0;
    char *src = malloc(cap), *body;
    char token[64];
    json_t *err;
    ApiResp r;

    assert_non_null(src);
    len += (size_t)snprintf(src, cap,
                            "ruleset chain-1 \"链\"\nstatus confirmed\n"
                            "let x \"x\" = employees[year]");
    for (int i = 1; i < 5300; i++) {
        len += (size_t)snprintf(src + len, cap - len, " + employees[year]");
    }
    snprintf(src + len, cap - len,
             "\npass = x > 0\ncase \"c\" { year = 2023 employees[2023] = 1 "
             "} expect 达标\n");
    apitest_add_user(f->t, "leader_a", "Leader12345", ROLE_LEADER,
                     f->t->root_id);
    assert_int_equal(apitest_login(f->t, "leader_a", "Leader12345"), 200);
    body = source_body(src);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "ok")));
    err = json_array_get(json_object_get(r.json, "errors"), 0);
    assert_non_null(err);
    assert_int_equal(json_integer_value(json_object_get(err, "line")), 3);
    assert_non_null(strstr(apitest_jstr(err, "message"), "运算项过多"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/rulesets", NULL),
                     200);

    /* and with a read-only API token */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(f->t, "POST", "/api/v1/api-tokens",
                    "{\"name\":\"只读\",\"role\":\"leader\"}", NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(token, sizeof token, "%s", apitest_jstr(r.json, "token"));
    apiresp_release(&r);
    apitest_logout_local(f->t);
    snprintf(f->t->bearer, sizeof f->t->bearer, "%s", token);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "ok")));
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/rulesets", NULL),
                     200);
    f->t->bearer[0] = '\0';
    free(body);
    free(src);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* {"source": <depth levels of nested arrays around "x">}; caller frees. */
static char *nested_body(int depth, int in_string)
{
    size_t cap = (size_t)depth * 2 + 64, len = 0;
    char *s = malloc(cap);

    assert_non_null(s);
    len += (size_t)snprintf(s, cap, "{\"source\": %s", in_string ? "\"" : "");
    for (int i = 0; i < depth; i++) {
        s[len++] = '[';
    }
    len += (size_t)snprintf(s + len, cap - len, "%s", in_string ? "" : "1");
    for (int i = 0; i < depth; i++) {
        s[len++] = ']';
    }
    snprintf(s + len, cap - len, "%s}", in_string ? "\"" : "");
    return s;
}

/* Request bodies nested deeper than the dispatcher allows are refused
 * before jansson's recursive parser sees them; brackets inside strings do
 * not count; the server keeps answering. */
static void test_check_deep_json(void **state)
{
    Fx *f = *state;
    static const int deep[] = {33, 2047, 100000};
    char *body;
    ApiResp r;

    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    for (int k = 0; k < 3; k++) {
        body = nested_body(deep[k], 0);
        apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
        assert_int_equal(r.status, 400);
        assert_non_null(
            strstr(apitest_jstr(json_object_get(r.json, "error"), "message"),
                   "嵌套过深"));
        apiresp_release(&r);
        free(body);
    }
    /* 32 levels reach the handler, which wants a string */
    body = nested_body(31, 0);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "source");
    apiresp_release(&r);
    free(body);
    /* the same brackets inside a string are text: a draft with an error */
    body = nested_body(100000, 1);
    apitest_request(f->t, "POST", "/api/v1/rulesets/check", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "ok")));
    apiresp_release(&r);
    free(body);
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/rulesets", NULL),
                     200);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* Copy DIR_OK into a fresh temporary directory. */
static void copy_dir_ok(const char *dir)
{
    static const char *const names[] = {"staff-test.kcr", "unicorn-2017.kcr"};
    size_t i;

    for (i = 0; i < 2; i++) {
        char src[256];
        char dst[256];
        char *text;
        FILE *fp;
        snprintf(src, sizeof src, "%s/%s", DIR_OK, names[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, names[i]);
        text = slurp(src);
        fp = fopen(dst, "w");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
        free(text);
    }
}

static void test_reload(void **state)
{
    Fx *f = *state;
    char dir[64];
    char path[128];
    char *bad = slurp("tests/data/rules/overlap.kcr");
    const char *hash;
    char hash_before[65];
    int gen;
    json_t *errs;
    json_t *err;
    FILE *fp;
    ApiResp r;

    snprintf(dir, sizeof dir, "/tmp/kc_test_rulesets_XXXXXX");
    assert_non_null(mkdtemp(dir));
    copy_dir_ok(dir);
    {
        Err e;
        err_clear(&e);
        assert_int_equal(ruleset_load_dir(dir, NULL, &e), 0);
    }
    gen = ruleset_current()->generation;

    /* not for other roles */
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/rulesets/reload", NULL), 403);
    assert_int_equal(apitest_login(f->t, "staff_a", "Staff12345"), 200);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/rulesets/reload", NULL), 403);
    assert_int_equal(ruleset_current()->generation, gen);

    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(f->t, "POST", "/api/v1/rulesets/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "generation")),
                     gen + 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/audit?action=rulesets.reload", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    /* the entry lists the rule sets now in force */
    {
        json_t *entry = json_array_get(json_object_get(r.json, "items"), 0);
        json_t *after = json_object_get(entry, "after");
        json_t *sets = json_object_get(after, "rulesets");
        assert_true(json_array_size(sets) > 0);
        assert_non_null(json_string_value(
            json_object_get(json_array_get(sets, 0), "hash")));
    }
    apiresp_release(&r);

    hash = rule_set_hash(ruleset_find(ruleset_current(), "staff-test")->rs);
    memcpy(hash_before, hash, 65);

    /* an edited file with an error and a new bad file: 400, every error,
     * and the old version keeps serving */
    snprintf(path, sizeof path, "%s/staff-test.kcr", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("ruleset staff-test \"改坏了\"\nstatus unverified\npass = nope\n",
          fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/zz-overlap.kcr", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(bad, fp);
    fclose(fp);
    apitest_request(f->t, "POST", "/api/v1/rulesets/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    err = json_object_get(r.json, "error");
    assert_string_equal(apitest_jstr(err, "code"), "invalid");
    assert_non_null(strstr(apitest_jstr(err, "message"), "2 处错误"));
    errs = json_object_get(err, "errors");
    assert_int_equal(json_array_size(errs), 2);
    assert_non_null(strstr(apitest_jstr(json_array_get(errs, 0), "file"),
                           "/staff-test.kcr"));
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(errs, 0), "line")),
        3);
    assert_non_null(strstr(apitest_jstr(json_array_get(errs, 1), "text"),
                           "/zz-overlap.kcr:6:3: 区间与第 5 行的区间重叠"));
    apiresp_release(&r);
    assert_int_equal(ruleset_current()->generation, gen + 1);

    apitest_request(f->t, "GET", "/api/v1/rulesets/staff-test", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "hash"), hash_before);
    assert_string_equal(apitest_jstr(r.json, "name"), "职工人数测试");
    apiresp_release(&r);
    /* the failed attempt is not recorded as a reload */
    apitest_request(f->t, "GET", "/api/v1/audit?action=rulesets.reload", NULL,
                    NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);

    /* fixed: the reload goes through */
    unlink(path);
    copy_dir_ok(dir);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/rulesets/reload", NULL), 200);
    assert_int_equal(ruleset_current()->generation, gen + 2);

    snprintf(path, sizeof path, "%s/staff-test.kcr", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/unicorn-2017.kcr", dir);
    unlink(path);
    rmdir(dir);
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_check_long_chain),
        cmocka_unit_test(test_check_deep_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
