/* test_service.c - the 包联 service log through the real dispatcher: logs
 * with their enterprises and asks in one transaction (a bad row names its
 * index and writes nothing), training attendance counted per event and
 * per year against the plans' figures, asks followed up until closed
 * (result required; overdue and mine filters; reopen), exports, audit
 * entries, and a 街道 agent limited to its unit. */
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

#define N_ENTS 12

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent[N_ENTS]; /* 0..10 in A, 11 in B */
} Fx;

static json_t *call(ApiTest *t, const char *method, const char *url,
                    const char *body, int want)
{
    json_t *j;
    ApiResp r;

    apitest_request(t, method, url, body, NULL, &r);
    if (r.status != want) {
        fail_msg("%s %s: %d, expected %d: %s", method, url, r.status, want,
                 r.body);
    }
    j = json_incref(r.json);
    apiresp_release(&r);
    return j;
}

static void expect(ApiTest *t, const char *method, const char *url,
                   const char *body, int want)
{
    json_decref(call(t, method, url, body, want));
}

static int64_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    ApiTest *t;

    assert_non_null(f);
    f->t = t = apitest_new();
    f->street_a = apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    f->street_b = apitest_add_unit(t, t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(t, "agent_a", "Agt-2468-kc", ROLE_AGENT, f->street_a);
    apitest_add_user(t, "agent_b", "Agt-2468-kc", ROLE_AGENT, f->street_b);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    for (int i = 0; i < N_ENTS; i++) {
        char code[USCC_LEN + 1], body[256];
        json_t *j;
        apitest_uscc(100 + i, code);
        snprintf(body, sizeof body,
                 "{\"uscc\":\"%s\",\"name\":\"服务企业%d\",\"unit_id\":%lld}",
                 code, i, (long long)(i < 11 ? f->street_a : f->street_b));
        j = call(t, "POST", "/api/v1/enterprises", body, 201);
        f->ent[i] = num(j, "id");
        json_decref(j);
    }
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

/* A training of n enterprises (ent[0..n)) on date. */
static int64_t training(Fx *f, const char *date, int n)
{
    char body[2048];
    size_t len;
    json_t *j;
    int64_t id;

    len = (size_t)snprintf(body, sizeof body,
                           "{\"kind\":\"training\",\"held_on\":\"%s\","
                           "\"title\":\"高企申报培训\",\"enterprise_ids\":[",
                           date);
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(body + len, sizeof body - len, "%s%lld",
                                i ? "," : "", (long long)f->ent[i]);
    }
    snprintf(body + len, sizeof body - len, "]}");
    j = call(f->t, "POST", "/api/v1/service/logs", body, 201);
    assert_int_equal(num(j, "n_enterprises"), n);
    id = num(j, "id");
    json_decref(j);
    return id;
}

static void test_logs_and_training(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    char body[1024], url[128];
    json_t *j;
    ApiResp r;

    /* bad input names the field; nothing is written */
    expect(t, "POST", "/api/v1/service/logs",
           "{\"kind\":\"party\",\"held_on\":\"2026-03-01\",\"title\":\"x\"}",
           400);
    expect(t, "POST", "/api/v1/service/logs",
           "{\"kind\":\"visit\",\"held_on\":\"2026-02-30\",\"title\":\"x\"}",
           400);
    snprintf(body, sizeof body,
             "{\"kind\":\"visit\",\"held_on\":\"2026-03-01\",\"title\":\"走访"
             "\",\"enterprise_ids\":[%lld,%lld]}",
             (long long)f->ent[0], (long long)f->ent[0]);
    j = call(t, "POST", "/api/v1/service/logs", body, 400);
    assert_string_equal(str(json_object_get(j, "error"), "field"),
                        "enterprise_ids[1]");
    json_decref(j);
    snprintf(body, sizeof body,
             "{\"kind\":\"visit\",\"held_on\":\"2026-03-01\",\"title\":\"走访"
             "\",\"enterprise_ids\":[%lld],\"asks\":[{\"enterprise_id\":%lld,"
             "\"content\":\"\"}]}",
             (long long)f->ent[0], (long long)f->ent[0]);
    j = call(t, "POST", "/api/v1/service/logs", body, 400);
    assert_string_equal(str(json_object_get(j, "error"), "field"),
                        "asks[0].content");
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/logs", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);

    /* an agent of A records a visit with an ask; B's enterprise is out */
    assert_int_equal(apitest_login(t, "agent_a", "Agt-2468-kc"), 200);
    snprintf(body, sizeof body,
             "{\"kind\":\"visit\",\"held_on\":\"2026-03-01\",\"title\":\"走访"
             "\",\"enterprise_ids\":[%lld]}",
             (long long)f->ent[11]);
    j = call(t, "POST", "/api/v1/service/logs", body, 400);
    assert_string_equal(str(json_object_get(j, "error"), "field"),
                        "enterprise_ids[0]");
    json_decref(j);
    snprintf(body, sizeof body,
             "{\"kind\":\"visit\",\"held_on\":\"2026-03-01\",\"title\":"
             "\"走访服务企业0\",\"topics\":\"研发费用归集\",\"participants\":"
             "\"张三、李四\",\"enterprise_ids\":[%lld],\"asks\":[{"
             "\"enterprise_id\":%lld,\"content\":\"希望对接高校实验室\"}]}",
             (long long)f->ent[0], (long long)f->ent[0]);
    j = call(t, "POST", "/api/v1/service/logs", body, 201);
    assert_string_equal(str(j, "kind_name"), "走访");
    assert_int_equal(json_array_size(json_object_get(j, "asks")), 1);
    assert_int_equal(num(j, "n_open_asks"), 1);
    snprintf(url, sizeof url, "/api/v1/service/logs/%lld",
             (long long)num(j, "id"));
    json_decref(j);
    /* the agent of B does not see it */
    assert_int_equal(apitest_login(t, "agent_b", "Agt-2468-kc"), 200);
    expect(t, "GET", url, NULL, 404);
    j = call(t, "GET", "/api/v1/service/logs", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);

    /* trainings: "每次参训企业 10 家以上", "每年 3 次以上培训" */
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    training(f, "2026-04-10", 11);
    training(f, "2026-06-10", 2);
    j = call(t, "GET", "/api/v1/service/stats?year=2026", NULL, 200);
    assert_int_equal(num(j, "trainings"), 2);
    assert_int_equal(num(j, "with_min_attendance"), 1);
    assert_false(json_is_true(json_object_get(j, "meets_target")));
    json_decref(j);
    training(f, "2026-09-10", 10);
    training(f, "2025-09-10", 10); /* another year */
    j = call(t, "GET", "/api/v1/service/stats?year=2026", NULL, 200);
    assert_int_equal(num(j, "trainings"), 3);
    assert_int_equal(num(j, "with_min_attendance"), 2);
    assert_true(json_is_true(json_object_get(j, "meets_target")));
    assert_int_equal(num(json_object_get(j, "by_kind"), "visit"), 1);
    json_decref(j);
    expect(t, "GET", "/api/v1/service/stats", NULL, 400);
    /* the logs of one enterprise; exports */
    snprintf(url, sizeof url, "/api/v1/service/logs?enterprise_id=%lld",
             (long long)f->ent[0]);
    j = call(t, "GET", url, NULL, 200);
    assert_int_equal(num(j, "total"), 5);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/logs?kind=training&year=2026", NULL,
             200);
    assert_int_equal(num(j, "total"), 3);
    json_decref(j);
    /* search: a substring of title or topics; wildcards are plain text */
    j = call(t, "GET", "/api/v1/service/logs?q=%E7%A0%94%E5%8F%91", NULL, 200);
    assert_int_equal(num(j, "total"), 1); /* 研发 in the visit's topics */
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/logs?q=%25", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    apitest_request(t, "GET", "/api/v1/service/logs?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "高企申报培训"));
    assert_non_null(strstr(r.body, "企业数"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/service/stats?year=2026&format=xlsx",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    apiresp_release(&r);
    j = call(t, "GET", "/api/v1/audit?action=service.log_create", NULL, 200);
    assert_int_equal(num(j, "total"), 5);
    json_decref(j);
}

static void test_asks(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    char body[512], url[128];
    int64_t ask, late;
    json_t *j;
    ApiResp r;

    expect(t, "POST", "/api/v1/service/asks", "{\"content\":\"x\"}", 400);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"content\":\"融资对接\",\"log_id\":999}",
             (long long)f->ent[1]);
    expect(t, "POST", "/api/v1/service/asks", body, 400);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"content\":\"融资对接\"}",
             (long long)f->ent[1]);
    j = call(t, "POST", "/api/v1/service/asks", body, 201);
    ask = num(j, "id");
    assert_string_equal(str(j, "status"), "open");
    assert_false(json_is_true(json_object_get(j, "overdue")));
    json_decref(j);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"content\":\"场地租金补贴咨询\","
             "\"due_on\":\"2020-01-31\"}",
             (long long)f->ent[11]);
    j = call(t, "POST", "/api/v1/service/asks", body, 201);
    late = num(j, "id");
    assert_true(json_is_true(json_object_get(j, "overdue")));
    json_decref(j);

    /* worklist filters */
    j = call(t, "GET", "/api/v1/service/asks?overdue=1", NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    assert_int_equal(num(json_array_get(json_object_get(j, "items"), 0), "id"),
                     late);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/asks?mine=1&status=open", NULL, 200);
    assert_int_equal(num(j, "total"), 2); /* no 包联人员: the recorder */
    json_decref(j);
    /* the home page shows the overdue ask, linked to its enterprise */
    j = call(t, "GET", "/api/v1/workbench", NULL, 200);
    {
        json_t *secs = json_object_get(j, "sections"), *asks = NULL;
        for (size_t i = 0; i < json_array_size(secs); i++) {
            if (strcmp(str(json_array_get(secs, i), "key"), "overdue_asks") ==
                0) {
                asks = json_object_get(json_array_get(secs, i), "data");
            }
        }
        assert_non_null(asks);
        assert_int_equal(num(asks, "total"), 1);
        assert_string_equal(
            str(json_array_get(json_object_get(asks, "items"), 0), "title"),
            "场地租金补贴咨询");
    }
    json_decref(j);
    expect(t, "GET", "/api/v1/service/asks?overdue=maybe", NULL, 400);
    snprintf(url, sizeof url, "/api/v1/service/asks?unit_id=%lld",
             (long long)f->street_a);
    j = call(t, "GET", url, NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    json_decref(j);

    /* follow-up until closed */
    snprintf(url, sizeof url, "/api/v1/service/asks/%lld/follow-ups",
             (long long)late);
    expect(t, "POST", url, "{\"note\":\"\"}", 400);
    expect(t, "POST", url, "{\"note\":\"已电话联系\",\"close\":true}", 400);
    j = call(t, "POST", url, "{\"note\":\"已转区财政局\"}", 200);
    assert_int_equal(json_array_size(json_object_get(j, "notes")), 1);
    assert_string_equal(str(j, "status"), "open");
    json_decref(j);
    j = call(t, "POST", url,
             "{\"note\":\"已答复\",\"close\":true,\"result\":\"符合补贴条件，"
             "已申报\"}",
             200);
    assert_string_equal(str(j, "status"), "closed");
    assert_int_equal(strlen(str(j, "closed_on")), 10);
    assert_int_equal(json_array_size(json_object_get(j, "notes")), 2);
    json_decref(j);
    expect(t, "POST", url, "{\"note\":\"x\",\"close\":true,\"result\":\"y\"}",
           409);
    j = call(t, "GET", "/api/v1/service/asks?overdue=1", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    j = call(t, "POST", url, "{\"note\":\"企业补充新情况\",\"reopen\":true}",
             200);
    assert_string_equal(str(j, "status"), "open");
    json_decref(j);

    /* scope: the agent of A sees A's ask only and cannot follow B's */
    assert_int_equal(apitest_login(t, "agent_a", "Agt-2468-kc"), 200);
    j = call(t, "GET", "/api/v1/service/asks", NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    assert_int_equal(num(json_array_get(json_object_get(j, "items"), 0), "id"),
                     ask);
    json_decref(j);
    expect(t, "POST", url, "{\"note\":\"x\"}", 404);
    snprintf(url, sizeof url, "/api/v1/service/asks/%lld", (long long)late);
    expect(t, "GET", url, NULL, 404);

    /* export */
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/service/asks?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "诉求内容"));
    assert_non_null(strstr(r.body, "场地租金补贴咨询"));
    apiresp_release(&r);
    j = call(t, "GET", "/api/v1/audit?object_type=service_ask", NULL, 200);
    assert_int_equal(num(j, "total"), 5);
    json_decref(j);
}

static int64_t audit_n(Fx *f, const char *action, int64_t id)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = $1 AND object_id = $2",
                                    "ti", action, id),
                     0);
    return n;
}

/* Editing and deleting a log, editing and voiding an ask: validated like
 * creation (nothing written on a bad field), audited with before/after,
 * organiser's scope; a deleted log leaves the lists and the training
 * counts, its open asks are voided (kept, readable, no further changes). */
static void test_edit_and_void(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    char body[1024], url[128], aurl[128];
    int64_t log, ask;
    json_t *j;

    snprintf(body, sizeof body,
             "{\"kind\":\"visit\",\"held_on\":\"2025-05-06\",\"title\":"
             "\"走访\",\"enterprise_ids\":[%lld],\"asks\":[{\"enterprise_id\":"
             "%lld,\"content\":\"人才公寓\"}]}",
             (long long)f->ent[0], (long long)f->ent[0]);
    j = call(t, "POST", "/api/v1/service/logs", body, 201);
    log = num(j, "id");
    ask = num(json_array_get(json_object_get(j, "asks"), 0), "id");
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/service/logs/%lld", (long long)log);
    snprintf(aurl, sizeof aurl, "/api/v1/service/asks/%lld", (long long)ask);

    /* bad input names the field and writes nothing */
    j = call(t, "PATCH", url, "{\"held_on\":\"2025-02-30\",\"title\":\"新\"}",
             400);
    assert_string_equal(str(json_object_get(j, "error"), "field"), "held_on");
    json_decref(j);
    expect(t, "PATCH", url, "{\"kind\":\"party\"}", 400);
    expect(t, "PATCH", url, "{\"title\":\"\"}", 400);
    expect(t, "PATCH", url, "{\"bogus\":1}", 400);
    snprintf(body, sizeof body, "{\"enterprise_ids\":[%lld,%lld]}",
             (long long)f->ent[1], (long long)f->ent[1]);
    j = call(t, "PATCH", url, body, 400);
    assert_string_equal(str(json_object_get(j, "error"), "field"),
                        "enterprise_ids[1]");
    json_decref(j);
    j = call(t, "GET", url, NULL, 200);
    assert_string_equal(str(j, "title"), "走访");
    assert_string_equal(str(j, "kind"), "visit");
    assert_int_equal(num(j, "n_enterprises"), 1);
    json_decref(j);
    assert_int_equal(audit_n(f, "service.log_update", log), 0);

    /* a training now, on another date, with eleven enterprises: counted */
    j = call(t, "GET", "/api/v1/service/stats?year=2025", NULL, 200);
    assert_int_equal(num(j, "trainings"), 0);
    json_decref(j);
    {
        size_t len = (size_t)snprintf(
            body, sizeof body,
            "{\"kind\":\"training\",\"held_on\":\"2025-06-10\",\"title\":"
            "\"政策培训\",\"topics\":\"研发费用加计扣除\",\"enterprise_ids\":"
            "[");
        for (int i = 0; i < 11; i++) {
            len += (size_t)snprintf(body + len, sizeof body - len, "%s%lld",
                                    i ? "," : "", (long long)f->ent[i]);
        }
        snprintf(body + len, sizeof body - len, "]}");
    }
    j = call(t, "PATCH", url, body, 200);
    assert_string_equal(str(j, "kind"), "training");
    assert_string_equal(str(j, "held_on"), "2025-06-10");
    assert_string_equal(str(j, "topics"), "研发费用加计扣除");
    assert_int_equal(num(j, "n_enterprises"), 11);
    json_decref(j);
    assert_int_equal(audit_n(f, "service.log_update", log), 1);
    j = call(t, "GET", "/api/v1/service/stats?year=2025", NULL, 200);
    assert_int_equal(num(j, "trainings"), 1);
    assert_int_equal(num(j, "with_min_attendance"), 1);
    json_decref(j);

    /* another street's agent neither sees nor changes it */
    assert_int_equal(apitest_login(t, "agent_b", "Agt-2468-kc"), 200);
    expect(t, "PATCH", url, "{\"title\":\"改\"}", 404);
    expect(t, "POST", strcat(strcpy(body, url), "/delete"),
           "{\"reason\":\"误录\"}", 404);
    expect(t, "PATCH", aurl, "{\"content\":\"改\"}", 404);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* the ask: content, due date and handler; bad ones refused */
    expect(t, "PATCH", aurl, "{\"content\":\"\"}", 400);
    j = call(t, "PATCH", aurl, "{\"due_on\":\"2025-13-01\"}", 400);
    assert_string_equal(str(json_object_get(j, "error"), "field"), "due_on");
    json_decref(j);
    expect(t, "PATCH", aurl, "{\"handler_user_id\":99999}", 400);
    j = call(t, "PATCH", aurl,
             "{\"content\":\"人才公寓申请\",\"due_on\":\"2025-07-01\","
             "\"handler_user_id\":null}",
             200);
    assert_string_equal(str(j, "content"), "人才公寓申请");
    assert_string_equal(str(j, "due_on"), "2025-07-01");
    assert_true(json_is_null(json_object_get(j, "handler_user_id")));
    json_decref(j);
    assert_int_equal(audit_n(f, "service.ask_update", ask), 1);

    /* delete the log: reason required; gone from lists and counts */
    snprintf(body, sizeof body, "%s/delete", url);
    expect(t, "POST", body, "{}", 400);
    expect(t, "POST", body, "{\"reason\":\"\"}", 400);
    expect(t, "POST", body, "{\"reason\":\"重复登记\"}", 200);
    expect(t, "POST", body, "{\"reason\":\"再次\"}", 404);
    expect(t, "GET", url, NULL, 404);
    expect(t, "PATCH", url, "{\"title\":\"改\"}", 404);
    assert_int_equal(audit_n(f, "service.log_delete", log), 1);
    {
        /* the audit entry keeps what was deleted */
        char *before = NULL;
        Err e;
        assert_int_equal(db_query_text(f->t->db, &before, &e,
                                       "SELECT before_json FROM audit_log "
                                       "WHERE action = 'service.log_delete' "
                                       "AND object_id = $1",
                                       "i", log),
                         0);
        assert_non_null(strstr(before, "研发费用加计扣除"));
        free(before);
    }
    j = call(t, "GET", "/api/v1/service/stats?year=2025", NULL, 200);
    assert_int_equal(num(j, "trainings"), 0);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/logs?year=2025", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    /* its open ask was voided with the reason: out of the list, no
     * follow-up, still readable */
    j = call(t, "GET", aurl, NULL, 200);
    assert_true(json_is_true(json_object_get(j, "voided")));
    assert_string_equal(str(j, "status_name"), "已作废");
    assert_string_equal(str(j, "result"), "重复登记");
    assert_true(json_is_null(json_object_get(j, "log_id")));
    json_decref(j);
    snprintf(body, sizeof body, "/api/v1/service/asks?enterprise_id=%lld",
             (long long)f->ent[0]);
    j = call(t, "GET", body, NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/asks?status=voided", NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    json_decref(j);
    snprintf(body, sizeof body, "%s/follow-ups", aurl);
    expect(t, "POST", body, "{\"note\":\"已联系\"}", 409);
    expect(t, "PATCH", aurl, "{\"content\":\"改\"}", 409);
    snprintf(body, sizeof body, "%s/void", aurl);
    expect(t, "POST", body, "{\"reason\":\"再次\"}", 409);

    /* an ask alone, voided by itself */
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"content\":\"融资需求\"}",
             (long long)f->ent[2]);
    j = call(t, "POST", "/api/v1/service/asks", body, 201);
    ask = num(j, "id");
    json_decref(j);
    snprintf(aurl, sizeof aurl, "/api/v1/service/asks/%lld/void",
             (long long)ask);
    j = call(t, "POST", aurl, "{\"reason\":\"企业撤回\"}", 200);
    assert_string_equal(str(j, "status_name"), "已作废");
    json_decref(j);
    assert_int_equal(audit_n(f, "service.ask_void", ask), 1);
    j = call(t, "GET", "/api/v1/service/asks?status=open", NULL, 200);
    for (size_t i = 0; i < json_array_size(json_object_get(j, "items")); i++) {
        assert_int_not_equal(
            num(json_array_get(json_object_get(j, "items"), i), "id"), ask);
    }
    json_decref(j);

    /* the served ask statuses are the ones the list filter takes and
     * name every ask listed: one ask open, one closed, two voided */
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"content\":\"人才公寓\"}",
             (long long)f->ent[2]);
    json_decref(call(t, "POST", "/api/v1/service/asks", body, 201));
    j = call(t, "POST", "/api/v1/service/asks", body, 201);
    snprintf(aurl, sizeof aurl, "/api/v1/service/asks/%lld/follow-ups",
             (long long)num(j, "id"));
    json_decref(j);
    json_decref(call(t, "POST", aurl,
                     "{\"note\":\"已答复\",\"close\":true,\"result\":"
                     "\"已安排\"}",
                     200));
    {
        json_t *ref = call(t, "GET", "/api/v1/reference/labels", NULL, 200);
        json_t *sts = json_object_get(ref, "ask_statuses"), *it, *items;
        size_t i, k;

        assert_int_equal(json_array_size(sts), 3);
        assert_string_equal(str(json_array_get(sts, 1), "value"), "closed");
        assert_string_equal(str(json_array_get(sts, 1), "label"), "已办结");
        json_array_foreach(sts, i, it)
        {
            snprintf(body, sizeof body, "/api/v1/service/asks?status=%s",
                     str(it, "value"));
            j = call(t, "GET", body, NULL, 200);
            items = json_object_get(j, "items");
            assert_true(json_array_size(items) >= 1);
            for (k = 0; k < json_array_size(items); k++) {
                assert_string_equal(str(json_array_get(items, k), "status"),
                                    str(it, "value"));
                assert_string_equal(
                    str(json_array_get(items, k), "status_name"),
                    str(it, "label"));
            }
            json_decref(j);
        }
        /* a refused status is told every code of the served table */
        apitest_expect_refusal(t, "GET", "/api/v1/service/asks?status=done",
                               NULL, "status", "状态", sts);
        json_decref(ref);
    }
    expect(t, "GET", "/api/v1/service/asks?status=done", NULL, 400);
}

static int64_t count_logs(Fx *f)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM service_logs", ""),
                     0);
    return n;
}

/* The error of row in an import answer ("" when none). */
static const char *row_error(json_t *j, long row)
{
    json_t *x;
    size_t i;

    json_array_foreach(json_object_get(j, "errors"), i, x)
    {
        if (num(x, "row") == row) {
            return str(x, "message");
        }
    }
    return "";
}

/* Import of service logs: the template, bad rows named with their row
 * and column and nothing written (also with apply), a good file checked
 * then written in one go (rows with the same type, date and title make
 * one log), asks with their due date, audit, and scope. */
static void test_import(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    static const char *const hdr[] = {"X-File-Name", "svc.csv", NULL};
    char code2[USCC_LEN + 1], dup[USCC_LEN + 1], body[2048], url[128];
    int64_t before;
    ApiResp r;
    json_t *j;

    /* the template */
    apitest_request(t, "GET", "/api/v1/service/logs/import-template?format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "类型,日期,主题,统一社会信用代码,企业名称"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/service/logs/import-template", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "PK", 2);
    apiresp_release(&r);

    /* a second 服务企业3 in street B: the name is ambiguous */
    apitest_uscc(300, dup);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"服务企业3\",\"unit_id\":%lld}", dup,
             (long long)f->street_b);
    expect(t, "POST", "/api/v1/enterprises", body, 201);
    apitest_uscc(102, code2);

    before = count_logs(f);
    snprintf(body, sizeof body,
             "服务记录导入\r\n"
             "类型,日期,主题,统一社会信用代码,企业名称,内容,参加人员,"
             "企业诉求,答复期限\r\n"
             "聚餐,2026-03-15,联谊,,服务企业0,,,,\r\n"
             "培训,2026-02-30,培训,,服务企业0,,,,\r\n"
             "走访,2026-03-15,,,服务企业0,,,,\r\n"
             "走访,2026-03-15,走访,,不存在的企业,,,,\r\n"
             "走访,2026-03-15,走访,,服务企业3,,,,\r\n"
             "走访,2026-03-15,走访,9112010,,,,,\r\n"
             "走访,2026-03-15,走访,%s,,,,,2026-04-30\r\n"
             "走访,2026-03-15,走访,%s,,,,融资,2026-04-31\r\n",
             code2, code2);
    apitest_request(t, "POST", "/api/v1/service/logs/import?apply=1", body, hdr,
                    &r);
    assert_int_equal(r.status, 200);
    j = r.json;
    assert_false(json_is_true(json_object_get(j, "applied")));
    assert_int_equal(num(j, "errors_total"), 8);
    assert_int_equal(num(j, "header_row"), 2);
    assert_non_null(strstr(row_error(j, 3), "类型应为"));
    assert_non_null(strstr(row_error(j, 4), "日期应为"));
    assert_non_null(strstr(row_error(j, 5), "请填写主题"));
    assert_non_null(strstr(row_error(j, 6), "没有名为“不存在的企业”"));
    assert_non_null(strstr(row_error(j, 7), "对应 2 家企业"));
    assert_non_null(strstr(row_error(j, 8), "格式不正确"));
    assert_non_null(strstr(row_error(j, 9), "没有诉求"));
    assert_non_null(strstr(row_error(j, 10), "答复期限应为"));
    assert_string_equal(
        str(json_array_get(json_object_get(j, "errors"), 0), "column"), "类型");
    apiresp_release(&r);
    assert_int_equal(count_logs(f), before); /* all or nothing */

    /* a good file: checked, then written */
    snprintf(body, sizeof body,
             "类型,日期,主题,统一社会信用代码,企业名称,内容,参加人员,"
             "企业诉求,答复期限\r\n"
             "培训,2026-03-15,高企申报培训,,服务企业0,研发费用归集,张三,,\r\n"
             "培训,2026-03-15,高企申报培训,,服务企业1,,,希望再办一期,"
             "2026-04-30\r\n"
             "走访,2026/3/20,走访服务企业2,%s,,了解研发,王五,对接检测平台,"
             "\r\n",
             code2);
    apitest_request(t, "POST", "/api/v1/service/logs/import", body, hdr, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(num(r.json, "errors_total"), 0);
    assert_int_equal(num(r.json, "logs"), 2);
    assert_int_equal(num(r.json, "enterprises"), 3);
    assert_int_equal(num(r.json, "asks"), 2);
    assert_false(json_is_true(json_object_get(r.json, "applied")));
    apiresp_release(&r);
    assert_int_equal(count_logs(f), before);
    apitest_request(t, "POST", "/api/v1/service/logs/import?apply=1", body, hdr,
                    &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_true(json_object_get(r.json, "applied")));
    assert_int_equal(json_array_size(json_object_get(r.json, "log_ids")), 2);
    {
        int64_t first = json_integer_value(
            json_array_get(json_object_get(r.json, "log_ids"), 0));
        snprintf(url, sizeof url, "/api/v1/service/logs/%lld",
                 (long long)first);
        assert_int_equal(audit_n(f, "service.log_create", first), 1);
    }
    apiresp_release(&r);
    assert_int_equal(count_logs(f), before + 2);
    j = call(t, "GET", url, NULL, 200);
    assert_string_equal(str(j, "kind"), "training");
    assert_string_equal(str(j, "topics"), "研发费用归集");
    assert_string_equal(str(j, "participants"), "张三");
    assert_int_equal(num(j, "n_enterprises"), 2);
    assert_int_equal(json_array_size(json_object_get(j, "asks")), 1);
    assert_string_equal(
        str(json_array_get(json_object_get(j, "asks"), 0), "due_on"),
        "2026-04-30");
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/logs?q=%E8%B5%B0%E8%AE%BF%E6%9C%8D",
             NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    assert_string_equal(
        str(json_array_get(json_object_get(j, "items"), 0), "held_on"),
        "2026-03-20");
    json_decref(j);

    /* another street's agent: enterprises of street A are not found */
    assert_int_equal(apitest_login(t, "agent_b", "Agt-2468-kc"), 200);
    apitest_request(t, "POST", "/api/v1/service/logs/import?apply=1",
                    "类型,日期,主题,企业名称\r\n走访,2026-03-21,走访,服务企业0"
                    "\r\n",
                    hdr, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(row_error(r.json, 2), "本单位范围内没有"));
    apiresp_release(&r);
    assert_int_equal(count_logs(f), before + 2);
    /* no header, empty file */
    assert_int_equal(apitest_status(t, "POST", "/api/v1/service/logs/import",
                                    "a,b\r\n1,2\r\n"),
                     400);
    assert_int_equal(
        apitest_status(t, "POST", "/api/v1/service/logs/import", ""), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_logs_and_training, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_and_void, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
