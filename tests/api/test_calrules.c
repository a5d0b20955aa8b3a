/* test_calrules.c - the compliance calendar's rules through the real
 * dispatcher: listed for readers, changed and added by administrators
 * only, every field validated with a zh-CN error naming it and nothing
 * written then, audit entries with before/after, and the calendar itself
 * following the changed rule (a yearly date moved, a rule disabled, an
 * offset before the expiry). */
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
#include "domain/accounts/actor.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street, ent;
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

/* The error field of a refused request. */
static void refused(Fx *f, const char *method, const char *url,
                    const char *body, int want, const char *field)
{
    json_t *j = call(f, method, url, body, want);

    assert_string_equal(apitest_jstr(json_object_get(j, "error"), "field"),
                        field);
    json_decref(j);
}

static int64_t rule_id(Fx *f, const char *code)
{
    json_t *j = call(f, "GET", "/api/v1/calendar/rules", NULL, 200), *r;
    int64_t id = 0;
    size_t i;

    json_array_foreach(json_object_get(j, "items"), i, r)
    {
        if (strcmp(apitest_jstr(r, "code"), code) == 0) {
            id = json_integer_value(json_object_get(r, "id"));
        }
    }
    json_decref(j);
    assert_true(id > 0);
    return id;
}

static int64_t audit_n(Fx *f, const char *action)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = $1",
                                    "t", action),
                     0);
    return n;
}

/* Calendar items of rule code for the enterprise in [from, to]. */
static int cal_count(Fx *f, const char *code, const char *from, const char *to,
                     char *date_out)
{
    char url[256];
    json_t *j, *it;
    size_t i;
    int n = 0;

    snprintf(url, sizeof url, "/api/v1/calendar?from=%s&to=%s", from, to);
    j = call(f, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(j, "items"), i, it)
    {
        if (strcmp(apitest_jstr(it, "rule"), code) == 0 &&
            json_integer_value(json_object_get(it, "enterprise_id")) ==
                f->ent) {
            n++;
            if (date_out) {
                strcpy(date_out, apitest_jstr(it, "date"));
            }
        }
    }
    json_decref(j);
    return n;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    char code[USCC_LEN + 1], body[256], url[96];
    json_t *j;

    assert_non_null(f);
    f->t = apitest_new();
    f->street =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    apitest_add_user(f->t, "staff1", "Staff-2468-kc", ROLE_STAFF, f->street);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(1, code);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"天津规则科技有限公司\",\"unit_id\":"
             "%lld}",
             code, (long long)f->street);
    j = call(f, "POST", "/api/v1/enterprises", body, 201);
    f->ent = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    /* a 高企 certificate valid 2024-03-01 .. 2027-02-28 */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->ent);
    json_decref(call(f, "POST", url,
                     "{\"kind\":\"hnte\",\"cert_no\":\"GR202412000777\","
                     "\"issued_on\":\"2024-03-01\"}",
                     201));
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

static void test_edit(void **state)
{
    Fx *f = *state;
    int64_t report = rule_id(f, "hnte.annual_report");
    int64_t expiry = rule_id(f, "hnte.expiry");
    char url[96], url2[96], day[16] = "";
    json_t *j;

    snprintf(url, sizeof url, "/api/v1/calendar/rules/%lld", (long long)report);
    snprintf(url2, sizeof url2, "/api/v1/calendar/rules/%lld",
             (long long)expiry);
    /* the calendar before: 年报 on 05-31 */
    assert_int_equal(
        cal_count(f, "hnte.annual_report", "2025-01-01", "2025-12-31", day), 1);
    assert_string_equal(day, "2025-05-31");

    /* bad input: each names its field; nothing changes */
    refused(f, "PATCH", url, "{\"month\":13,\"day\":1}", 400, "month");
    refused(f, "PATCH", url, "{\"month\":2,\"day\":30}", 400, "day");
    refused(f, "PATCH", url, "{\"month\":2}", 400, "day");
    refused(f, "PATCH", url, "{\"status\":\"maybe\"}", 400, "status");
    refused(f, "PATCH", url, "{\"source\":\"\"}", 400, "source");
    refused(f, "PATCH", url, "{\"source_date\":\"2016-13-01\"}", 400,
            "source_date");
    refused(f, "PATCH", url, "{\"offset_days\":99999}", 400, "offset_days");
    refused(f, "PATCH", url, "{\"kind\":\"sme\"}", 400, "kind");
    refused(f, "PATCH", url2, "{\"month\":5,\"day\":1}", 400, "month");
    json_decref(call(f, "PATCH", "/api/v1/calendar/rules/99999",
                     "{\"title\":\"x\"}", 404));
    assert_int_equal(audit_n(f, "qual.cal_rule_update"), 0);

    /* a staff member may read but not change */
    assert_int_equal(apitest_login(f->t, "staff1", "Staff-2468-kc"), 200);
    json_decref(call(f, "GET", "/api/v1/calendar/rules", NULL, 200));
    json_decref(call(f, "PATCH", url, "{\"month\":6,\"day\":30}", 403));
    json_decref(call(f, "POST", "/api/v1/calendar/rules",
                     "{\"kind\":\"hnte\",\"event\":\"x\",\"anchor\":"
                     "\"yearly\",\"month\":1,\"day\":1,\"title\":\"x\","
                     "\"source\":\"x\"}",
                     403));
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* move the 年报 to 06-30 with a new source, confirmed */
    j = call(f, "PATCH", url,
             "{\"month\":6,\"day\":30,\"source\":\"2025年市科技局通知\","
             "\"source_date\":\"2025-03-01\",\"status\":\"confirmed\"}",
             200);
    assert_int_equal(json_integer_value(json_object_get(j, "month")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "day")), 30);
    assert_string_equal(apitest_jstr(j, "status_name"), "已核实");
    assert_string_equal(apitest_jstr(j, "source_date"), "2025-03-01");
    json_decref(j);
    assert_int_equal(audit_n(f, "qual.cal_rule_update"), 1);
    assert_int_equal(
        cal_count(f, "hnte.annual_report", "2025-01-01", "2025-12-31", day), 1);
    assert_string_equal(day, "2025-06-30");
    {
        char *before = NULL;
        Err e;
        assert_int_equal(db_query_text(f->t->db, &before, &e,
                                       "SELECT before_json FROM audit_log "
                                       "WHERE action = "
                                       "'qual.cal_rule_update'",
                                       ""),
                         0);
        assert_non_null(strstr(before, "\"month\":5"));
        free(before);
    }

    /* the expiry 30 days earlier: the item moves */
    assert_int_equal(
        cal_count(f, "hnte.expiry", "2027-01-01", "2027-03-31", day), 1);
    assert_string_equal(day, "2027-02-28");
    json_decref(call(f, "PATCH", url2, "{\"offset_days\":-30}", 200));
    assert_int_equal(
        cal_count(f, "hnte.expiry", "2027-01-01", "2027-03-31", day), 1);
    assert_string_equal(day, "2027-01-29");

    /* disabled: gone from the calendar, still listed */
    json_decref(call(f, "PATCH", url, "{\"enabled\":false}", 200));
    assert_int_equal(
        cal_count(f, "hnte.annual_report", "2025-01-01", "2025-12-31", NULL),
        0);
    j = call(f, "GET", "/api/v1/calendar/rules", NULL, 200);
    {
        json_t *r;
        size_t i;
        int seen = 0;
        json_array_foreach(json_object_get(j, "items"), i, r)
        {
            if (strcmp(apitest_jstr(r, "code"), "hnte.annual_report") == 0) {
                seen = 1;
                assert_false(json_is_true(json_object_get(r, "enabled")));
            }
        }
        assert_true(seen);
    }
    json_decref(j);
}

static void test_create(void **state)
{
    Fx *f = *state;
    char day[16] = "";
    json_t *j;

    refused(f, "POST", "/api/v1/calendar/rules",
            "{\"kind\":\"zzz\",\"event\":\"x\",\"anchor\":\"yearly\","
            "\"title\":\"x\",\"source\":\"x\"}",
            400, "kind");
    refused(f, "POST", "/api/v1/calendar/rules",
            "{\"kind\":\"hnte\",\"event\":\"Bad-Code\",\"anchor\":\"yearly\","
            "\"title\":\"x\",\"source\":\"x\"}",
            400, "event");
    refused(f, "POST", "/api/v1/calendar/rules",
            "{\"kind\":\"hnte\",\"event\":\"x\",\"anchor\":\"monthly\","
            "\"title\":\"x\",\"source\":\"x\"}",
            400, "anchor");
    refused(f, "POST", "/api/v1/calendar/rules",
            "{\"kind\":\"hnte\",\"event\":\"x\",\"anchor\":\"yearly\","
            "\"title\":\"x\",\"source\":\"x\"}",
            400, "month");
    refused(f, "POST", "/api/v1/calendar/rules",
            "{\"kind\":\"hnte\",\"event\":\"x\",\"anchor\":\"yearly\","
            "\"month\":4,\"day\":15,\"source\":\"x\"}",
            400, "title");
    /* kind.event exists already */
    json_decref(call(f, "POST", "/api/v1/calendar/rules",
                     "{\"kind\":\"hnte\",\"event\":\"expiry\",\"anchor\":"
                     "\"valid_to\",\"title\":\"x\",\"source\":\"x\"}",
                     409));
    assert_int_equal(audit_n(f, "qual.cal_rule_create"), 0);

    j = call(f, "POST", "/api/v1/calendar/rules",
             "{\"kind\":\"hnte\",\"event\":\"tax_filing\",\"anchor\":"
             "\"yearly\",\"month\":4,\"day\":15,\"title\":\"高企优惠备案资料"
             "留存\",\"source\":\"区科技局工作安排\"}",
             201);
    assert_string_equal(apitest_jstr(j, "code"), "hnte.tax_filing");
    assert_string_equal(apitest_jstr(j, "status"), "unverified");
    assert_true(json_is_true(json_object_get(j, "enabled")));
    json_decref(j);
    assert_int_equal(audit_n(f, "qual.cal_rule_create"), 1);
    assert_int_equal(
        cal_count(f, "hnte.tax_filing", "2025-01-01", "2025-12-31", day), 1);
    assert_string_equal(day, "2025-04-15");

    /* the served check statuses are the ones a rule takes and names */
    {
        json_t *ref = call(f, "GET", "/api/v1/reference/labels", NULL, 200);
        json_t *sts = json_object_get(ref, "verify_statuses"), *it;
        char body[320];
        size_t i;

        assert_int_equal(json_array_size(sts), 2);
        json_array_foreach(sts, i, it)
        {
            snprintf(body, sizeof body,
                     "{\"kind\":\"hnte\",\"event\":\"st_%c\",\"anchor\":"
                     "\"yearly\",\"month\":5,\"day\":1,\"title\":\"x\","
                     "\"source\":\"x\",\"status\":\"%s\"}",
                     (char)('a' + i), apitest_jstr(it, "value"));
            j = call(f, "POST", "/api/v1/calendar/rules", body, 201);
            assert_string_equal(apitest_jstr(j, "status"),
                                apitest_jstr(it, "value"));
            assert_string_equal(apitest_jstr(j, "status_name"),
                                apitest_jstr(it, "label"));
            json_decref(j);
        }
        /* a refused status is told every code of the served table */
        apitest_expect_refusal(f->t, "POST", "/api/v1/calendar/rules",
                               "{\"kind\":\"hnte\",\"event\":\"st_x\","
                               "\"anchor\":\"yearly\",\"month\":5,\"day\":1,"
                               "\"title\":\"x\",\"source\":\"x\","
                               "\"status\":\"verified\"}",
                               "status", "状态", sts);
        json_decref(ref);
        refused(f, "POST", "/api/v1/calendar/rules",
                "{\"kind\":\"hnte\",\"event\":\"st_x\",\"anchor\":"
                "\"yearly\",\"month\":5,\"day\":1,\"title\":\"x\","
                "\"source\":\"x\",\"status\":\"verified\"}",
                400, "status");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
