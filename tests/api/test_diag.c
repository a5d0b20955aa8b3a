/* test_diag.c - the 诊断书 through the real dispatcher: one enterprise
 * (ladder with the engine's own gap texts, qualifications with expiries,
 * open cultivation tasks, policies it can apply for), a selection (ids,
 * duplicates, the cap, bad ids), data scope (an agent only for its unit,
 * a selection with one enterprise outside refused as a whole) and the
 * XLSX (one sheet per enterprise with the sections' rows). */
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

#include "base/buf.h"
#include "base/log.h"
#include "base/uscc.h"
#include "base/xlsx_read.h"
#include "common/apitest.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t e1, e2, e3;
} Fx;

static json_t *call(Fx *f, const char *method, const char *url,
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

static int64_t add_ent(Fx *f, int n, const char *name, int64_t unit)
{
    char code[USCC_LEN + 1], body[512];
    json_t *j;
    int64_t id;

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld}", code,
             name, (long long)unit);
    j = call(f, "POST", "/api/v1/enterprises", body, 201);
    id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    char url[128], body[256];
    int64_t batch, entry;
    json_t *j;

    assert_non_null(f);
    log_set_level(LOG_ERROR);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->e1 = add_ent(f, 1, "甲一科技有限公司", f->street_a);
    f->e2 = add_ent(f, 2, "乙一科技有限公司", f->street_b);
    f->e3 = add_ent(f, 3, "甲二科技有限公司", f->street_a);
    /* e1: a 高企 certificate of 2024 and some yearly data */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->e1);
    json_decref(call(f, "POST", url,
                     "{\"kind\": \"hnte\", \"cert_no\": \"GR202412000101\", "
                     "\"issued_on\": \"2024-03-01\", \"valid_from\": "
                     "\"2024-03-01\", \"basis\": \"first\"}",
                     201));
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)f->e1);
    json_decref(call(f, "PUT", url,
                     "{\"rd_expense\": 8000009, \"employees\": 120}", 200));
    /* e3 in cultivation with a task by hand */
    j = call(f, "POST", "/api/v1/pipeline/batches",
             "{\"tier\":\"hnte\",\"year\":2024,\"name\":\"2024年高企第一批\"}",
             201);
    batch = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/entries",
             (long long)batch);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"reason\":\"重点培育\"}",
             (long long)f->e3);
    j = call(f, "POST", url, body, 201);
    entry = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld/actions",
             (long long)entry);
    json_decref(call(f, "POST", url,
                     "{\"action\":\"recommend\",\"comment\":\"推荐\"}", 200));
    json_decref(call(f, "POST", url, "{\"action\":\"approve\"}", 200));
    json_decref(call(f, "POST", url, "{\"action\":\"cultivate\"}", 200));
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld/tasks",
             (long long)entry);
    json_decref(call(
        f, "POST", url,
        "{\"title\":\"申请一项发明专利\",\"due_on\":\"2024-12-31\"}", 201));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    char snap[300];

    snprintf(snap, sizeof snap, "%s.snapshot", f->t->path);
    unlink(snap);
    apitest_free(f->t);
    free(f);
    return 0;
}

/* Every gap text of the eligibility answer's rows (the engine's). */
static int engine_has_gap(json_t *elig, const char *gap)
{
    json_t *r, *w;
    size_t i, j;

    json_array_foreach(json_object_get(elig, "results"), i, r)
    {
        json_array_foreach(json_object_get(r, "rows"), j, w)
        {
            if (strcmp(apitest_jstr(w, "gap"), gap) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static void test_one(void **state)
{
    Fx *f = *state;
    char url[160];
    json_t *d, *el, *v, *tiers;
    size_t i;
    int hnte_cert = 0, hnte_policy = 0, gaps = 0, task = 0;

    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/diagnosis?as_of=2024-06-30",
             (long long)f->e1);
    d = call(f, "GET", url, NULL, 200);
    assert_string_equal(apitest_jstr(d, "as_of"), "2024-06-30");
    assert_string_equal(apitest_jstr(json_object_get(d, "enterprise"), "name"),
                        "甲一科技有限公司");
    assert_string_equal(
        apitest_jstr(json_object_get(d, "enterprise"), "unit_name"),
        "大王庄街道");
    /* one current version per tier; each with a verdict */
    tiers = json_object_get(d, "tiers");
    assert_true(json_array_size(tiers) >= 3);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?as_of=2024-06-30",
             (long long)f->e1);
    el = call(f, "GET", url, NULL, 200);
    json_array_foreach(tiers, i, v)
    {
        size_t j, k;
        json_t *c, *g;

        assert_true(*apitest_jstr(v, "tier_name"));
        assert_true(*apitest_jstr(v, "verdict_name"));
        for (size_t m = i + 1; m < json_array_size(tiers); m++) {
            assert_string_not_equal(
                apitest_jstr(v, "tier"),
                apitest_jstr(json_array_get(tiers, m), "tier"));
        }
        /* gap texts are the engine's, not re-worded */
        json_array_foreach(json_object_get(v, "criteria"), j, c)
        {
            assert_true(*apitest_jstr(c, "criterion"));
            json_array_foreach(json_object_get(c, "gaps"), k, g)
            {
                assert_true(engine_has_gap(el, json_string_value(g)));
                gaps++;
            }
        }
    }
    assert_true(gaps > 0);
    json_decref(el);
    /* the register: the certificate held, with days left */
    json_array_foreach(json_object_get(d, "qualifications"), i, v)
    {
        if (strcmp(apitest_jstr(v, "cert_no"), "GR202412000101") == 0) {
            hnte_cert = 1;
            assert_true(json_integer_value(json_object_get(v, "days_left")) >
                        0);
        }
    }
    assert_true(hnte_cert);
    /* the policy pool: 高企首次认定奖励 for 2024 */
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(d, "policy_match"), "year")),
                     2024);
    json_array_foreach(json_object_get(d, "policies"), i, v)
    {
        assert_string_not_equal(apitest_jstr(v, "outcome"), "not");
        if (strcmp(apitest_jstr(v, "code"), "hnte-first") == 0) {
            hnte_policy = 1;
            assert_string_equal(apitest_jstr(v, "outcome"), "qualified");
        }
    }
    assert_true(hnte_policy);
    assert_int_equal(json_array_size(json_object_get(d, "tasks")), 0);
    json_decref(d);

    /* e3: its open cultivation tasks */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/diagnosis?as_of=2024-06-30",
             (long long)f->e3);
    d = call(f, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(d, "tasks"), i, v)
    {
        assert_string_equal(apitest_jstr(v, "status"), "open");
        task |= strcmp(apitest_jstr(v, "title"), "申请一项发明专利") == 0;
    }
    assert_true(task);
    json_decref(d);

    /* bad input */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/diagnosis?as_of=2024-13-01",
             (long long)f->e1);
    d = call(f, "GET", url, NULL, 400);
    assert_string_equal(apitest_jstr(json_object_get(d, "error"), "field"),
                        "as_of");
    json_decref(d);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/diagnosis?format=pdf",
             (long long)f->e1);
    json_decref(call(f, "GET", url, NULL, 400));
    json_decref(
        call(f, "GET", "/api/v1/enterprises/999999/diagnosis", NULL, 404));
}

static void test_selection_and_scope(void **state)
{
    Fx *f = *state;
    char url[200];
    json_t *d;
    Buf b;

    snprintf(url, sizeof url,
             "/api/v1/diagnoses?ids=%lld,%lld,%lld&as_of=2024-06-30",
             (long long)f->e3, (long long)f->e1, (long long)f->e3);
    d = call(f, "GET", url, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(d, "items")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(d, "items"), 0), "enterprise_id")),
        f->e3);
    json_decref(d);
    json_decref(call(f, "GET", "/api/v1/diagnoses", NULL, 400));
    json_decref(call(f, "GET", "/api/v1/diagnoses?ids=1,x", NULL, 400));
    json_decref(call(f, "GET", "/api/v1/diagnoses?ids=0", NULL, 400));
    /* at most 200 distinct enterprises */
    buf_init(&b, 8192);
    buf_append_str(&b, "/api/v1/diagnoses?ids=");
    for (int i = 1; i <= 201; i++) {
        char n[16];
        snprintf(n, sizeof n, i > 1 ? ",%d" : "%d", i);
        buf_append_str(&b, n);
    }
    d = call(f, "GET", b.data, NULL, 413);
    assert_non_null(
        strstr(apitest_jstr(json_object_get(d, "error"), "message"), "200"));
    json_decref(d);
    buf_release(&b);

    /* an agent of street A: its own enterprises only */
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/diagnosis",
             (long long)f->e1);
    json_decref(call(f, "GET", url, NULL, 200));
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/diagnosis",
             (long long)f->e2);
    json_decref(call(f, "GET", url, NULL, 404));
    snprintf(url, sizeof url, "/api/v1/diagnoses?ids=%lld,%lld",
             (long long)f->e1, (long long)f->e2);
    d = call(f, "GET", url, NULL, 404);
    assert_string_equal(apitest_jstr(json_object_get(d, "error"), "field"),
                        "ids");
    assert_non_null(strstr(apitest_jstr(json_object_get(d, "error"), "message"),
                           "第 2 家企业"));
    json_decref(d);
    snprintf(url, sizeof url, "/api/v1/diagnoses?ids=%lld,%lld&format=xlsx",
             (long long)f->e2, (long long)f->e1);
    json_decref(call(f, "GET", url, NULL, 404));
}

/* The rows of sheet i as text, one line per row, cells joined by '|'. */
static void sheet_text(XlsxReader *x, size_t i, Buf *out)
{
    XlsxSheet *s = NULL;
    XlsxRow row;
    Err e;

    assert_int_equal(xlsx_sheet_open(x, i, &s, &e), 0);
    while (xlsx_sheet_read_row(s, &row, &e) == 1) {
        for (size_t c = 0; c < row.n_cells; c++) {
            buf_append_str(out, row.cells[c].value);
            buf_append_str(out, "|");
        }
        buf_append_str(out, "\n");
    }
    xlsx_sheet_free(s);
}

static void test_xlsx(void **state)
{
    Fx *f = *state;
    char url[200];
    XlsxReader *x = NULL;
    ApiResp r;
    Buf b;
    Err e;

    snprintf(url, sizeof url,
             "/api/v1/diagnoses?ids=%lld,%lld&as_of=2024-06-30&format=xlsx",
             (long long)f->e1, (long long)f->e3);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(apiresp_header(&r, "Content-Disposition"), ".xlsx"));
    assert_int_equal(xlsx_reader_open_mem(&x, r.body, r.body_len, NULL, &e), 0);
    assert_int_equal(xlsx_reader_sheet_count(x), 2);
    assert_string_equal(xlsx_reader_sheet_name(x, 0), "1 甲一科技有限公司");
    assert_string_equal(xlsx_reader_sheet_name(x, 1), "2 甲二科技有限公司");
    buf_init(&b, 1 << 20);
    sheet_text(x, 0, &b);
    assert_non_null(strstr(b.data, "企业诊断书：甲一科技有限公司"));
    assert_non_null(strstr(b.data, "统一社会信用代码|91120102MA0000001"));
    assert_non_null(strstr(b.data, "评价日|2024-06-30"));
    assert_non_null(strstr(b.data, "一、梯度评价"));
    assert_non_null(strstr(b.data, "二、资质与到期"));
    assert_non_null(strstr(b.data, "GR202412000101"));
    assert_non_null(strstr(b.data, "三、未完成的培育任务"));
    assert_non_null(strstr(b.data, "四、可申请的政策"));
    assert_non_null(strstr(b.data, "|符合|"));
    buf_release(&b);
    buf_init(&b, 1 << 20);
    sheet_text(x, 1, &b);
    assert_non_null(strstr(b.data, "申请一项发明专利|2024年高企第一批"));
    buf_release(&b);
    xlsx_reader_free(x);
    apiresp_release(&r);

    /* one enterprise: one sheet, named after it in the file name */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/diagnosis?format=xlsx",
             (long long)f->e1);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(xlsx_reader_open_mem(&x, r.body, r.body_len, NULL, &e), 0);
    assert_int_equal(xlsx_reader_sheet_count(x), 1);
    xlsx_reader_free(x);
    apiresp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selection_and_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_xlsx, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
