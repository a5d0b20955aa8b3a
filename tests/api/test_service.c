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

static void make_uscc(int n, char out[USCC_LEN + 1])
{
    char prefix[32];

    snprintf(prefix, sizeof prefix, "91120102MA%07d", n % 10000000);
    memcpy(out, prefix, 17);
    out[17] = uscc_check_char(prefix);
    out[18] = '\0';
}

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
        make_uscc(100 + i, code);
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_logs_and_training, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_and_void, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
