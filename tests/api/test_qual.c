/* test_qual.c - the qualifications register through the real dispatcher:
 * lifecycle rules and their zh-CN errors, audit, scope, counts on dates
 * (expiry, revocation, moving out, renames), the district list and its
 * export, the enterprise list filter, the compliance calendar and the
 * home page (工作台). */
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
#include "base/uscc.h"
#include "common/apitest.h"
#include "domain/qual/qual.h"
#include "domain/qual/qual_cache.h"
#include "domain/qual/qual_cal.h"
#include "domain/qual/qual_import.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent_a, ent_b, ent_c;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->ent_a = apitest_add_ent(f->t, 1, "天津甲科技有限公司", f->street_a);
    f->ent_b = apitest_add_ent(f->t, 2, "天津乙科技有限公司", f->street_b);
    f->ent_c = apitest_add_ent(f->t, 3, "天津丙科技有限公司", f->street_a);
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

/* POST a qualification; returns the status, *id the new id on 201, and
 * the error's field and message in field/msg (may be NULL). */
static int post_qual(Fx *f, int64_t ent, const char *body, int64_t *id,
                     char *field, char *msg)
{
    char url[128];
    ApiResp r;
    int st;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)ent);
    st = apitest_request(f->t, "POST", url, body, NULL, &r);
    if (id) {
        *id = json_integer_value(json_object_get(r.json, "id"));
    }
    if (field) {
        snprintf(field, 64, "%s",
                 apitest_jstr(json_object_get(r.json, "error"), "field"));
    }
    if (msg) {
        snprintf(msg, 512, "%s",
                 apitest_jstr(json_object_get(r.json, "error"), "message"));
    }
    apiresp_release(&r);
    return st;
}

static int64_t count_on(Fx *f, const char *kind, const char *date)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(qual_count_valid(f->t->db, kind, date, "/", &n, &e), 0);
    return n;
}

/* The count of kind in unit on date from GET /qualifications/counts?
 * by=unit (0 when the unit has no row). */
static int64_t unit_count(Fx *f, const char *kind, int64_t unit,
                          const char *date)
{
    char url[160];
    int64_t n = 0;
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/qualifications/counts?date=%s&by=unit",
             date);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < json_array_size(json_object_get(r.json, "units"));
         i++) {
        json_t *u = json_array_get(json_object_get(r.json, "units"), i);
        if (strcmp(apitest_jstr(u, "kind"), kind) == 0 &&
            json_integer_value(json_object_get(u, "unit_id")) == unit) {
            n = json_integer_value(json_object_get(u, "count"));
        }
    }
    apiresp_release(&r);
    return n;
}

/* Register rows whose unit or retirement date differ from their
 * enterprise's (migration 021 keeps them equal). */
static int64_t units_out_of_step(Fx *f)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(
        db_query_int64(f->t->db, &n, &e,
                       "SELECT COUNT(*) FROM qualifications q JOIN "
                       "enterprises e ON e.id = q.enterprise_id WHERE "
                       "q.unit_id IS NULL OR q.unit_id <> e.unit_id OR "
                       "(e.retired_at IS NULL) <> (q.ent_retired_on IS "
                       "NULL) OR q.ent_retired_on <> substr(e.retired_at, "
                       "1, 10)",
                       ""),
        0);
    return n;
}

static void test_lifecycle_rules(void **state)
{
    Fx *f = *state;
    char field[64], msg[512], url[160];
    int64_t id = 0, id2 = 0;
    ApiResp r;

    /* 3-year validity computed from the issue date; basis first */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"gr202012000101\", \"issued_on\": "
                               "\"2020-12-01\"}",
                               &id, field, msg),
                     201);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->ent_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *q = json_array_get(json_object_get(r.json, "items"), 0);
        assert_string_equal(apitest_jstr(q, "cert_no"), "GR202012000101");
        assert_string_equal(apitest_jstr(q, "valid_to"), "2023-11-30");
        assert_string_equal(apitest_jstr(q, "basis"), "first");
        assert_string_equal(apitest_jstr(q, "kind_name"), "高新技术企业");
        assert_string_equal(apitest_jstr(q, "level"), "national");
    }
    apiresp_release(&r);

    /* expiry before issue */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202312000102\", \"issued_on\": "
                               "\"2023-12-01\", \"valid_to\": \"2023-01-01\"}",
                               NULL, field, msg),
                     400);
    assert_string_equal(field, "valid_to");
    assert_non_null(strstr(msg, "早于"));
    /* more than three years */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202312000102\", \"issued_on\": "
                               "\"2023-12-01\", \"valid_to\": \"2027-01-01\"}",
                               NULL, field, msg),
                     400);
    assert_string_equal(field, "valid_to");
    assert_non_null(strstr(msg, "2026-11-30"));
    /* number format of 高企 */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR2023-1\", \"issued_on\": \"2023-12-01\"}",
                               NULL, field, msg),
                     400);
    assert_string_equal(field, "cert_no");
    assert_non_null(strstr(msg, "证书编号"));
    /* duplicate number, named with the holder */
    assert_int_equal(post_qual(f, f->ent_b,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000101\", \"issued_on\": "
                               "\"2020-12-01\"}",
                               NULL, field, msg),
                     409);
    assert_string_equal(field, "cert_no");
    assert_non_null(strstr(msg, "天津甲科技有限公司"));
    /* unknown kind and level */
    assert_int_equal(
        post_qual(f, f->ent_a,
                  "{\"kind\": \"nope\", \"issued_on\": \"2020-01-01\"}", NULL,
                  field, msg),
        400);
    assert_string_equal(field, "kind");
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"level\": \"district\", "
                               "\"issued_on\": \"2020-01-01\"}",
                               NULL, field, msg),
                     400);
    assert_string_equal(field, "level");
    /* move-in keeps the original expiry, which is then required */
    assert_int_equal(post_qual(f, f->ent_c,
                               "{\"kind\": \"hnte\", \"basis\": \"move_in\", "
                               "\"cert_no\": \"GR202111000777\", "
                               "\"issued_on\": \"2021-10-15\"}",
                               NULL, field, msg),
                     400);
    assert_string_equal(field, "valid_to");
    assert_int_equal(post_qual(f, f->ent_c,
                               "{\"kind\": \"hnte\", \"basis\": \"move_in\", "
                               "\"cert_no\": \"GR202111000777\", "
                               "\"issued_on\": \"2021-10-15\", "
                               "\"valid_from\": \"2022-03-01\", "
                               "\"valid_to\": \"2024-10-14\"}",
                               &id2, field, msg),
                     201);

    /* a second certificate of the same enterprise is a 再认定 */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202312000102\", \"issued_on\": "
                               "\"2023-12-01\"}",
                               &id2, field, msg),
                     201);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->ent_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "basis"),
        "recert");
    apiresp_release(&r);

    /* revocation before the certificate is refused */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/%lld/end",
             (long long)f->ent_a, (long long)id2);
    apitest_request(f->t, "POST", url,
                    "{\"status\": \"revoked\", \"ended_on\": \"2023-06-01\", "
                    "\"end_reason\": \"复核不符合条件\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "ended_on");
    apiresp_release(&r);
    /* a reason is required */
    apitest_request(f->t, "POST", url,
                    "{\"status\": \"revoked\", \"ended_on\": \"2024-06-01\", "
                    "\"end_reason\": \"\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"status\": \"revoked\", \"ended_on\": \"2024-06-01\", "
                    "\"end_reason\": \"复核不符合条件\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "revoked");
    assert_string_equal(apitest_jstr(r.json, "state"), "ended");
    apiresp_release(&r);
    /* ended records cannot be ended again or edited */
    apitest_request(f->t, "POST", url,
                    "{\"status\": \"cancelled\", \"ended_on\": \"2024-07-01\", "
                    "\"end_reason\": \"再次\"}",
                    NULL, &r);
    assert_int_equal(r.status, 409);
    apiresp_release(&r);

    /* rename: same number and validity */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/%lld/rename",
             (long long)f->ent_a, (long long)id);
    apitest_request(f->t, "POST", url,
                    "{\"cert_name\": \"天津甲新科技有限公司\", \"renamed_on\": "
                    "\"2021-06-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "cert_no"), "GR202012000101");
    assert_string_equal(apitest_jstr(r.json, "valid_to"), "2023-11-30");
    assert_string_equal(apitest_jstr(r.json, "cert_name"),
                        "天津甲新科技有限公司");
    apiresp_release(&r);

    /* correction of a record */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications/%lld",
             (long long)f->ent_a, (long long)id);
    apitest_request(
        f->t, "PATCH", url,
        "{\"kind\": \"hnte\", \"cert_no\": \"GR202012000101\", "
        "\"issued_on\": \"2020-12-01\", \"batch\": \"2020年第二批\"}",
        NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "batch"), "2020年第二批");
    apiresp_release(&r);

    /* the 诊断书's part: held on a date, past ones, what falls due */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/summary?as_of=2024-06-30",
             (long long)f->ent_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    /* the 2023 recert was revoked 2024-06-01; the 2020 one expired */
    assert_int_equal(json_array_size(json_object_get(r.json, "held")), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "past")), 2);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/summary?as_of=2023-06-30",
             (long long)f->ent_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *held = json_object_get(r.json, "held");
        json_t *up = json_object_get(r.json, "upcoming");
        int expiry = 0;
        assert_int_equal(json_array_size(held), 1);
        assert_string_equal(apitest_jstr(json_array_get(held, 0), "cert_no"),
                            "GR202012000101");
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(held, 0), "days_left")),
                         153);
        for (size_t i = 0; i < json_array_size(up); i++) {
            if (strcmp(apitest_jstr(json_array_get(up, i), "rule"),
                       "hnte.expiry") == 0) {
                expiry = 1;
                assert_string_equal(apitest_jstr(json_array_get(up, i), "date"),
                                    "2023-11-30");
            }
        }
        assert_true(expiry);
    }
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/summary?as_of=x",
             (long long)f->ent_a);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 400);

    /* every write is audited under the enterprise */
    {
        int64_t n = 0;
        Err e;
        assert_int_equal(
            db_query_int64(f->t->db, &n, &e,
                           "SELECT COUNT(*) FROM audit_log WHERE action LIKE "
                           "'qual.%'",
                           ""),
            0);
        assert_int_equal(n, 6); /* 3 creates, end, rename, update */
    }
}

/* The counts by unit read the unit and retirement date kept on the
 * register rows: they follow an enterprise moved alone or in a batch, a
 * retirement and a restoring, and rows written by plain SQL (demo, bulk
 * loads) take their enterprise's unit too. */
static void test_counts_follow_unit(void **state)
{
    Fx *f = *state;
    char url[160], body[256], today[DATE_ISO_SIZE], issued[DATE_ISO_SIZE];
    char path_a[64];
    int64_t n = -1;
    Err e;

    date_format_iso(date_today(), today);
    date_format_iso(date_add_days(date_today(), -30), issued);
    snprintf(path_a, sizeof path_a, "/%lld/%lld/", (long long)f->t->root_id,
             (long long)f->street_a);
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000301\", \"issued_on\": "
                               "\"2020-12-01\"}",
                               NULL, NULL, NULL),
                     201);
    assert_int_equal(post_qual(f, f->ent_c,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202112000302\", \"issued_on\": "
                               "\"2021-01-10\"}",
                               NULL, NULL, NULL),
                     201);
    snprintf(body, sizeof body,
             "{\"kind\": \"hnte\", \"cert_no\": \"GR202112000303\", "
             "\"issued_on\": \"%s\"}",
             issued);
    assert_int_equal(post_qual(f, f->ent_b, body, NULL, NULL, NULL), 201);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_a, "2021-12-31"), 2);
    assert_int_equal(unit_count(f, "hnte", f->street_b, "2021-12-31"), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_b, today), 1);

    /* A moves to street B: its register row follows, on any date */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)f->ent_a);
    snprintf(body, sizeof body, "{\"unit_id\": %lld}", (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "PATCH", url, body), 200);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_a, "2021-12-31"), 1);
    assert_int_equal(unit_count(f, "hnte", f->street_b, "2021-12-31"), 1);
    assert_int_equal(
        qual_count_valid(f->t->db, "hnte", "2021-12-31", path_a, &n, &e), 0);
    assert_int_equal(n, 1);

    /* C moves by the batch edit */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld], \"set\": {\"unit_id\": %lld}}",
             (long long)f->ent_c, (long long)f->street_b);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 200);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_a, "2021-12-31"), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_b, "2021-12-31"), 2);
    assert_int_equal(
        qual_count_valid(f->t->db, "hnte", "2021-12-31", path_a, &n, &e), 0);
    assert_int_equal(n, 0);

    /* B retired today leaves today's count, not the earlier ones */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)f->ent_b);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": true, \"retire_reason\": "
                                    "\"注销\"}"),
                     200);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_b, today), 0);
    assert_int_equal(count_on(f, "hnte", today), 0);
    assert_int_equal(count_on(f, "hnte", issued), 1);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url,
                       "{\"retired\": false, \"retire_reason\": \"误注销\"}"),
        200);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "hnte", f->street_b, today), 1);

    /* a row written with plain SQL takes its enterprise's unit */
    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "valid_from, valid_to, src_at, created_at, updated_at) "
                  "VALUES ($1, 'sme', '2021-01-01', '2021-12-31', 'x', 'x', "
                  "'x')",
                  "i", f->ent_a),
        0);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "sme", f->street_b, "2021-06-30"), 1);
    /* and one written with another unit is corrected */
    assert_int_equal(
        db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "valid_from, valid_to, src_at, created_at, updated_at, "
                  "unit_id) VALUES ($1, 'zjtx', '2021-01-01', '2023-12-31', "
                  "'x', 'x', 'x', $2)",
                  "ii", f->ent_a, f->street_a),
        0);
    assert_int_equal(units_out_of_step(f), 0);
    assert_int_equal(unit_count(f, "zjtx", f->street_a, "2021-06-30"), 0);
    assert_int_equal(unit_count(f, "zjtx", f->street_b, "2021-06-30"), 1);
}

static void test_counts_on_dates(void **state)
{
    Fx *f = *state;
    char url[256];
    int64_t id = 0;
    ApiResp r;

    /* A: 2020-12-01 .. 2023-11-30, B: 2021-03-01 revoked 2022-05-10,
     * C: moved out 2022-01-01 */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000201\", \"issued_on\": "
                               "\"2020-12-01\"}",
                               NULL, NULL, NULL),
                     201);
    assert_int_equal(post_qual(f, f->ent_b,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202112000202\", \"issued_on\": "
                               "\"2021-03-01\"}",
                               &id, NULL, NULL),
                     201);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/%lld/end",
             (long long)f->ent_b, (long long)id);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"status\": \"revoked\", \"ended_on\": "
                                    "\"2022-05-10\", \"end_reason\": "
                                    "\"弄虚作假\"}"),
                     200);
    assert_int_equal(post_qual(f, f->ent_c,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000203\", \"issued_on\": "
                               "\"2020-10-01\"}",
                               &id, NULL, NULL),
                     201);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications/%lld/end",
             (long long)f->ent_c, (long long)id);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"status\": \"moved_out\", \"ended_on\": "
                                    "\"2022-01-01\", \"end_reason\": "
                                    "\"整体迁往北京\"}"),
                     200);
    /* 科小: valid for its calendar year */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"sme\", \"cert_no\": "
                               "\"202112010200000001\", \"year\": 2021, "
                               "\"issued_on\": \"2021-04-20\"}",
                               NULL, NULL, NULL),
                     201);

    assert_int_equal(count_on(f, "hnte", "2020-09-30"), 0);
    assert_int_equal(count_on(f, "hnte", "2020-11-30"), 1);
    assert_int_equal(count_on(f, "hnte", "2020-12-01"), 2);
    assert_int_equal(count_on(f, "hnte", "2021-12-31"), 3);
    assert_int_equal(count_on(f, "hnte", "2022-01-01"), 2); /* moved out */
    assert_int_equal(count_on(f, "hnte", "2022-05-09"), 2);
    assert_int_equal(count_on(f, "hnte", "2022-05-10"), 1); /* revoked */
    assert_int_equal(count_on(f, "hnte", "2023-11-30"), 1);
    assert_int_equal(count_on(f, "hnte", "2023-12-01"), 0); /* expired */
    assert_int_equal(count_on(f, "sme", "2021-12-31"), 1);
    assert_int_equal(count_on(f, "sme", "2022-01-01"), 0);
    {
        int64_t n = -1;
        Err e;
        char path[64];
        snprintf(path, sizeof path, "/%lld/%lld/", (long long)f->t->root_id,
                 (long long)f->street_b);
        assert_int_equal(
            qual_count_valid(f->t->db, "hnte", "2021-12-31", path, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(
            qual_count_valid(f->t->db, "bogus", "2021-12-31", "/", &n, &e),
            ERR_INVALID);
    }

    /* the API, by unit */
    apitest_request(f->t, "GET",
                    "/api/v1/qualifications/counts?date=2021-12-31&by=unit",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *items = json_object_get(r.json, "items");
        int found = 0;
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            if (strcmp(apitest_jstr(it, "kind"), "hnte") == 0) {
                assert_int_equal(
                    json_integer_value(json_object_get(it, "count")), 3);
                found = 1;
            }
        }
        assert_true(found);
        assert_int_equal(json_array_size(json_object_get(r.json, "units")), 3);
    }
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/qualifications/counts?date=x",
                                    NULL),
                     400);
    apitest_request(
        f->t, "GET",
        "/api/v1/qualifications/counts?date=2021-12-31&by=unit&format=csv",
        NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "统计日期,资质类型,单位,有效企业数"));
    assert_non_null(strstr(r.body, "2021-12-31,高新技术企业,大直沽街道,1"));
    apiresp_release(&r);

    /* the calendar of the district has A's expiry of 2023-11-30 */
    apitest_request(f->t, "GET",
                    "/api/v1/calendar?from=2023-01-01&to=2023-12-31&kind=hnte",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_integer_value(json_object_get(r.json, "total")) >= 1);
    assert_non_null(strstr(r.body, "2023-11-30"));
    apiresp_release(&r);
    /* a street agent counts only its street */
    apitest_add_user(f->t, "agent_b", "Agent12345", ROLE_AGENT, f->street_b);
    assert_int_equal(apitest_login(f->t, "agent_b", "Agent12345"), 200);
    apitest_request(f->t, "GET",
                    "/api/v1/qualifications/counts?date=2021-12-31", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < json_array_size(json_object_get(r.json, "items"));
         i++) {
        json_t *it = json_array_get(json_object_get(r.json, "items"), i);
        if (strcmp(apitest_jstr(it, "kind"), "hnte") == 0) {
            assert_int_equal(json_integer_value(json_object_get(it, "count")),
                             1);
        }
    }
    apiresp_release(&r);
    /* and cannot see or write another street's enterprise */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->ent_a);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"sme\", \"year\": 2022, "
                               "\"issued_on\": \"2022-04-01\"}",
                               NULL, NULL, NULL),
                     404);
    /* the calendar too: A's 2023 expiry is not B's */
    apitest_request(f->t, "GET",
                    "/api/v1/calendar?from=2023-01-01&to=2023-12-31", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    apiresp_release(&r);
    /* the district list shows its street only */
    apitest_request(f->t, "GET", "/api/v1/qualifications", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);
}

static void test_list_export_filter(void **state)
{
    Fx *f = *state;
    char url[256];
    ApiResp r;

    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000301\", \"issued_on\": "
                               "\"2020-12-01\", \"note\": \"=cmd\"}",
                               NULL, NULL, NULL),
                     201);
    assert_int_equal(post_qual(f, f->ent_b,
                               "{\"kind\": \"chuying\", \"issued_on\": "
                               "\"2022-06-01\", \"valid_to\": \"2024-12-31\"}",
                               NULL, NULL, NULL),
                     201);
    apitest_request(f->t, "GET", "/api/v1/qualifications?kind=hnte", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "enterprise_name"),
        "天津甲科技有限公司");
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/qualifications?valid_on=2023-06-01&sort=-valid_to",
                    NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 2);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/qualifications?valid_on=2024-06-01",
                    NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/qualifications?sort=bogus", NULL),
        400);
    /* CSV export with the same filters, formula neutralised */
    apitest_request(f->t, "GET", "/api/v1/qualifications?format=csv", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "企业名称,统一社会信用代码,所属单位"));
    assert_non_null(strstr(r.body, "GR202012000301"));
    assert_non_null(strstr(r.body, "'=cmd"));
    assert_non_null(strstr(r.body, "天津市雏鹰企业"));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/qualifications?format=xlsx", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "PK", 2);
    apiresp_release(&r);
    /* the enterprise tab's export */
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/qualifications?format=csv",
             (long long)f->ent_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "GR202012000301"));
    assert_non_null(strstr(r.body, "天津乙科技有限公司"));
    apiresp_release(&r);

    /* enterprise list: holds qualification X on date D */
    apitest_request(f->t, "GET",
                    "/api/v1/enterprises?qual_kind=hnte&qual_on=2021-06-01",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/enterprises?qual_kind=hnte&qual_on=2019-06-01",
                    NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?qual_kind=zzz", NULL),
        400);
    /* an unknown state: the message names the states from the table */
    apitest_request(f->t, "GET", "/api/v1/qualifications?state=zzz", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "error"), "message"),
        "状态应为 valid（有效）、expired（已到期）或 ended（已终止）");
    apiresp_release(&r);

    /* reference table: kinds with names, validity and sources */
    apitest_request(f->t, "GET", "/api/v1/reference/qualifications", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    {
        json_t *kinds = json_object_get(r.json, "kinds");
        int hnte = 0;
        assert_true(json_array_size(kinds) >= 14);
        for (size_t i = 0; i < json_array_size(kinds); i++) {
            json_t *k = json_array_get(kinds, i);
            if (strcmp(apitest_jstr(k, "code"), "hnte") == 0) {
                hnte = 1;
                assert_int_equal(
                    json_integer_value(json_object_get(k, "valid_years")), 3);
                assert_non_null(strstr(apitest_jstr(k, "source"), "32号"));
            }
        }
        assert_true(hnte);
        /* the states the rows are named with; the list filters three */
        {
            json_t *sts = json_object_get(r.json, "states");
            size_t nf = 0;
            assert_int_equal(json_array_size(sts), 4);
            assert_string_equal(apitest_jstr(json_array_get(sts, 2), "value"),
                                "expired");
            assert_string_equal(apitest_jstr(json_array_get(sts, 2), "label"),
                                "已到期");
            for (size_t i = 0; i < json_array_size(sts); i++) {
                nf += json_is_true(
                    json_object_get(json_array_get(sts, i), "filter"));
            }
            assert_int_equal(nf, 3);
            assert_false(json_is_true(
                json_object_get(json_array_get(sts, 1), "filter")));
        }
        assert_true(json_array_size(json_object_get(r.json, "calendar_rules")) >
                    5);
        /* the anchors a rule's date counts from: every rule's anchor is
         * one of them, and the rules page's anchor_name is its name */
        json_t *anchors = json_object_get(r.json, "calendar_anchors");
        json_t *rules;
        ApiResp cr;
        assert_int_equal(json_array_size(anchors), 3);
        assert_string_equal(apitest_jstr(json_array_get(anchors, 0), "code"),
                            "valid_to");
        assert_string_equal(apitest_jstr(json_array_get(anchors, 0), "name"),
                            "有效期止");
        assert_string_equal(apitest_jstr(json_array_get(anchors, 2), "code"),
                            "yearly");
        assert_string_equal(apitest_jstr(json_array_get(anchors, 2), "name"),
                            "每年固定日期");
        apitest_request(f->t, "GET", "/api/v1/calendar/rules", NULL, NULL, &cr);
        assert_int_equal(cr.status, 200);
        rules = json_object_get(cr.json, "items");
        assert_true(json_array_size(rules) > 5);
        for (size_t i = 0; i < json_array_size(rules); i++) {
            json_t *ru = json_array_get(rules, i);
            const char *name = NULL;
            for (size_t j = 0; j < json_array_size(anchors); j++) {
                json_t *an = json_array_get(anchors, j);
                if (strcmp(apitest_jstr(an, "code"),
                           apitest_jstr(ru, "anchor")) == 0) {
                    name = apitest_jstr(an, "name");
                }
            }
            assert_non_null(name);
            assert_string_equal(apitest_jstr(ru, "anchor_name"), name);
        }
        apiresp_release(&cr);
    }
    apiresp_release(&r);
}

static void test_calendar_workbench(void **state)
{
    Fx *f = *state;
    char body[256], d0[DATE_ISO_SIZE], url[256];
    Date today = date_today();
    int y;
    ApiResp r;

    /* a certificate issued three years ago less ten days expires in ten
     * days (its re-certification window is open) */
    date_to_ymd(today, &y, NULL, NULL);
    {
        int yy, mm, dd;
        Date issued;
        date_to_ymd(date_add_days(today, 11), &yy, &mm, &dd);
        if (mm == 2 && dd == 29) {
            dd = 28;
        }
        date_from_ymd(yy - 3, mm, dd, &issued, NULL, NULL);
        date_format_iso(issued, d0);
    }
    snprintf(body, sizeof body,
             "{\"kind\": \"hnte\", \"cert_no\": \"GR201912000401\", "
             "\"issued_on\": \"%s\"}",
             d0);
    assert_int_equal(post_qual(f, f->ent_a, body, NULL, NULL, NULL), 201);
    apitest_request(f->t, "GET", "/api/v1/calendar", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *items = json_object_get(r.json, "items");
        int expiry = 0, window = 0;
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            if (strcmp(apitest_jstr(it, "rule"), "hnte.expiry") == 0) {
                expiry = 1;
                assert_string_equal(apitest_jstr(it, "status"), "confirmed");
                assert_string_equal(apitest_jstr(it, "enterprise_name"),
                                    "天津甲科技有限公司");
            }
            if (strcmp(apitest_jstr(it, "rule"), "hnte.recert") == 0) {
                window = 1;
                assert_string_equal(apitest_jstr(it, "status"), "unverified");
                assert_true(json_is_string(json_object_get(it, "start")));
            }
        }
        assert_true(expiry);
        assert_true(window);
    }
    apiresp_release(&r);
    /* the yearly 年报 date of the 高企 (5-31) */
    snprintf(url, sizeof url, "/api/v1/calendar?from=%d-05-01&to=%d-06-30", y,
             y);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *items = json_object_get(r.json, "items");
        int report = 0;
        for (size_t i = 0; i < json_array_size(items); i++) {
            if (strcmp(apitest_jstr(json_array_get(items, i), "rule"),
                       "hnte.annual_report") == 0) {
                report = 1;
            }
        }
        /* valid on 5-31 of this year when issued within three years */
        (void)report;
    }
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/calendar?from=2026-02-30", NULL),
        400);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/calendar?from=2020-01-01&to="
                                    "2026-01-01",
                                    NULL),
                     400);
    apitest_request(f->t, "GET", "/api/v1/calendar?format=csv", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "截止日期,开始日期,事项"));
    assert_non_null(strstr(r.body, "GR201912000401"));
    apiresp_release(&r);
    /* mine: no enterprise has the admin as 包联人员 */
    apitest_request(f->t, "GET", "/api/v1/calendar?mine=1", NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    apiresp_release(&r);

    /* home page: sections in order, the expiry among today's to-dos */
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *secs = json_object_get(r.json, "sections");
        json_t *todos = json_array_get(secs, 0);
        json_t *counts = json_array_get(secs, 2);
        assert_int_equal(json_array_size(secs), 5);
        assert_string_equal(apitest_jstr(json_array_get(secs, 3), "key"),
                            "my_tasks");
        assert_string_equal(apitest_jstr(json_array_get(secs, 4), "key"),
                            "overdue_asks");
        assert_string_equal(apitest_jstr(todos, "key"), "todos");
        assert_string_equal(apitest_jstr(json_array_get(secs, 1), "key"),
                            "deadlines");
        assert_string_equal(apitest_jstr(counts, "type"), "counts");
        /* expiry in 10 days is not a to-do of the next 7 days, nor
         * its re-certification window that is open already */
        for (size_t i = 0; i < json_array_size(json_object_get(
                                   json_object_get(todos, "data"), "items"));
             i++) {
            json_t *it = json_array_get(
                json_object_get(json_object_get(todos, "data"), "items"), i);
            assert_null(strstr(apitest_jstr(it, "title"), "高新技术企业"));
        }
        for (size_t i = 0; i < json_array_size(json_object_get(
                                   json_object_get(counts, "data"), "items"));
             i++) {
            json_t *it = json_array_get(
                json_object_get(json_object_get(counts, "data"), "items"), i);
            if (strcmp(apitest_jstr(it, "code"), "hnte") == 0) {
                assert_int_equal(
                    json_integer_value(json_object_get(it, "count")), 1);
                /* valid on the same date last year too */
                assert_int_equal(
                    json_integer_value(json_object_get(it, "compare")), 1);
                assert_int_equal(
                    json_integer_value(json_object_get(it, "change")), 0);
            }
        }
    }
    apiresp_release(&r);
}

/* A declaration that contradicts the register is listed as a conflict on
 * the enterprise and counted among the home page's to-dos. */
static void test_conflicts(void **state)
{
    Fx *f = *state;
    char url[160];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)f->ent_a);
    assert_int_equal(
        apitest_status(f->t, "PUT", url,
                       "{\"items\": [{\"field\": \"hnte_cert\", \"value\": "
                       "true}, {\"field\": \"tj_hnte_cert\", \"value\": "
                       "false}]}"),
        200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/qualifications",
             (long long)f->ent_a);
    /* no register rows: the declarations stand, no conflict */
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "conflicts")), 0);
    apiresp_release(&r);
    /* an expired 高企 certificate contradicts "是" */
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR201812000501\", \"issued_on\": "
                               "\"2018-11-01\"}",
                               NULL, NULL, NULL),
                     201);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *c = json_object_get(r.json, "conflicts");
        assert_int_equal(json_array_size(c), 1);
        assert_string_equal(apitest_jstr(json_array_get(c, 0), "field"),
                            "hnte_cert");
        assert_true(
            json_is_true(json_object_get(json_array_get(c, 0), "declared")));
    }
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    {
        json_t *todos = json_object_get(
            json_object_get(
                json_array_get(json_object_get(r.json, "sections"), 0), "data"),
            "items");
        assert_string_equal(apitest_jstr(json_array_get(todos, 0), "status"),
                            "conflict");
        assert_non_null(strstr(apitest_jstr(json_array_get(todos, 0), "title"),
                               "1 家企业"));
    }
    apiresp_release(&r);
}

/* A published list: header below a title row, matched by current and
 * former name; the duplicate name and the unknown one are listed for a
 * person; an invalid number; apply writes the matched and resolved rows
 * in one transaction. */
static void test_import_list(void **state)
{
    Fx *f = *state;
    static const char *const hdr[] = {"X-File-Name", "list.csv", NULL};
    int64_t d1, d2, imp;
    char url[160], body[512];
    ApiResp r;

    d1 = apitest_add_ent(f->t, 11, "天津重名有限公司", f->street_a);
    d2 = apitest_add_ent(f->t, 12, "天津重名有限公司", f->street_b);
    /* C's old name becomes a former name */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)f->ent_c);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"name\": \"天津丙新科技有限公司\"}"),
                     200);
    apitest_request(f->t, "POST",
                    "/api/v1/qualifications/imports?kind=hnte&batch=2021"
                    "%E5%B9%B4%E7%AC%AC%E4%BA%8C%E6%89%B9",
                    "2021年天津市第二批高新技术企业认定名单\r\n"
                    "序号,企业名称,证书编号,发证日期\r\n"
                    "1,天津甲科技有限公司,GR202112000901,2021-12-01\r\n"
                    "2,天津重名有限公司,GR202112000902,2021/12/1\r\n"
                    "3,天津不存在有限公司,GR202112000903,2021-12-01\r\n"
                    "4,天津丙科技有限公司,GR202112000904,2021年12月1日\r\n"
                    "5,天津乙科技有限公司,BAD,2021-12-01\r\n"
                    ",,,\r\n",
                    hdr, &r);
    if (r.status != 201) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    imp = json_integer_value(json_object_get(r.json, "id"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "header_row")),
                     2);
    {
        json_t *rows = json_object_get(r.json, "rows");
        json_t *sum = json_object_get(r.json, "summary");
        assert_int_equal(json_array_size(rows), 5);
        assert_string_equal(apitest_jstr(json_array_get(rows, 0), "status"),
                            "matched");
        assert_string_equal(apitest_jstr(json_array_get(rows, 0), "matched_by"),
                            "name");
        assert_string_equal(
            apitest_jstr(json_array_get(rows, 0), "matched_by_name"), "现名");
        assert_string_equal(apitest_jstr(json_array_get(rows, 1), "status"),
                            "ambiguous");
        assert_int_equal(json_array_size(json_object_get(
                             json_array_get(rows, 1), "candidates")),
                         2);
        assert_string_equal(apitest_jstr(json_array_get(rows, 2), "status"),
                            "unmatched");
        assert_string_equal(apitest_jstr(json_array_get(rows, 3), "status"),
                            "matched");
        assert_string_equal(apitest_jstr(json_array_get(rows, 3), "matched_by"),
                            "former_name");
        assert_string_equal(
            apitest_jstr(json_array_get(rows, 3), "matched_by_name"), "曾用名");
        assert_string_equal(apitest_jstr(json_array_get(rows, 4), "status"),
                            "invalid");
        assert_non_null(strstr(apitest_jstr(json_array_get(rows, 4), "message"),
                               "证书编号"));
        assert_int_equal(json_integer_value(json_object_get(sum, "matched")),
                         2);
    }
    apiresp_release(&r);
    /* nothing written by the check */
    assert_int_equal(count_on(f, "hnte", "2022-01-01"), 0);
    /* the invalid row refuses the apply unless skipped */
    snprintf(url, sizeof url, "/api/v1/qualifications/imports/%lld/apply",
             (long long)imp);
    apitest_request(f->t, "POST", url, "{}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(
        apitest_jstr(json_object_get(r.json, "error"), "message"), "第 7 行"));
    apiresp_release(&r);
    assert_int_equal(count_on(f, "hnte", "2022-01-01"), 0);
    /* a street agent of B cannot pick A's enterprise nor see the import */
    snprintf(body, sizeof body,
             "{\"resolutions\": [{\"row\": 4, \"enterprise_id\": %lld}, "
             "{\"row\": 5, \"skip\": true}, {\"row\": 7, \"skip\": "
             "true}]}",
             (long long)d1);
    apitest_request(f->t, "POST", url, body, NULL, &r);
    if (r.status != 200) {
        fail_msg("apply: %d %s", r.status, r.body);
    }
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "summary"), "inserted")),
                     3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "summary"), "skipped")),
                     2);
    apiresp_release(&r);
    assert_int_equal(count_on(f, "hnte", "2022-01-01"), 3);
    assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 409);
    {
        int64_t n = 0;
        Err e;
        assert_int_equal(
            db_query_int64(f->t->db, &n, &e,
                           "SELECT COUNT(*) FROM qualifications WHERE "
                           "enterprise_id = $1 AND batch = '2021年第二批'",
                           "i", d1),
            0);
        assert_int_equal(n, 1);
        assert_int_equal(
            db_query_int64(f->t->db, &n, &e,
                           "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'qual.import'",
                           ""),
            0);
        assert_int_equal(n, 1);
    }
    (void)d2;
    /* another street's agent does not see the import */
    apitest_add_user(f->t, "agent_b", "Agent12345", ROLE_AGENT, f->street_b);
    assert_int_equal(apitest_login(f->t, "agent_b", "Agent12345"), 200);
    snprintf(url, sizeof url, "/api/v1/qualifications/imports/%lld",
             (long long)imp);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    /* the template */
    apitest_request(f->t, "GET",
                    "/api/v1/qualifications/import-template?format=csv", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "企业名称,统一社会信用代码,证书编号"));
    apiresp_release(&r);
}

/* The library tests/data/qual/ent.csv describes (make_fixtures.py): six
 * enterprises in street A, two of them sharing a name; ids into ids[]. */
static void pub_library(Fx *f, int64_t ids[6])
{
    static const char *const names[] = {
        "华信电子（天津）有限公司", "天津甲乙科技有限公司",
        "天津重名科技有限公司",     "天津重名科技有限公司",
        "天津丙丁新材料有限公司",   "天津戊己软件有限公司"};

    for (int i = 0; i < 6; i++) {
        ids[i] = apitest_add_ent(f->t, 700 + i, names[i], f->street_a);
    }
}

/* A published list as Tianjin publishes it, uploaded by a bureau user
 * (GBK CSV: title and 发文 rows, a blank row, 序号, a number with spaces,
 * dates as a serial, 2023年12月8日 and 2023.12.08, a trailing space, a
 * note and a 合计 row): the check lists the ambiguous and unmatched rows
 * by row number and no row for the note or the total; the apply with the
 * ambiguous row resolved writes five records and nothing else. */
static void test_import_published_csv(void **state)
{
    Fx *f = *state;
    static const char *const hdr[] = {"X-File-Name", "hnte_2023_gbk.csv", NULL};
    int64_t ids[6], imp;
    char buf[4096], url[160], body[256];
    size_t n;
    FILE *fp;
    ApiResp r;

    pub_library(f, ids);
    fp = fopen("tests/data/qual/hnte_2023_gbk.csv", "rb");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    apitest_request(f->t, "POST",
                    "/api/v1/qualifications/imports?kind=hnte&batch=2023", buf,
                    hdr, &r);
    if (r.status != 201) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    imp = json_integer_value(json_object_get(r.json, "id"));
    {
        json_t *rows = json_object_get(r.json, "rows");
        json_t *sum = json_object_get(r.json, "summary");
        static const struct {
            long row;
            const char *status;
        } want[] = {{5, "matched"},   {6, "matched"}, {7, "ambiguous"},
                    {8, "unmatched"}, {9, "matched"}, {10, "matched"}};

        assert_int_equal(
            json_integer_value(json_object_get(r.json, "header_row")), 4);
        assert_int_equal(json_array_size(rows), 6);
        for (size_t i = 0; i < 6; i++) {
            json_t *x = json_array_get(rows, i);
            assert_int_equal(json_integer_value(json_object_get(x, "row")),
                             want[i].row);
            assert_string_equal(apitest_jstr(x, "status"), want[i].status);
            assert_true(json_is_null(json_object_get(x, "sheet")));
        }
        assert_string_equal(apitest_jstr(json_array_get(rows, 1), "cert_no"),
                            "GR202312000102");
        assert_string_equal(apitest_jstr(json_array_get(rows, 3), "date"),
                            "2023-12-08");
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(rows, 0), "enterprise_id")),
                         ids[0]);
        assert_int_equal(json_array_size(json_object_get(
                             json_array_get(rows, 2), "candidates")),
                         2);
        assert_int_equal(json_integer_value(json_object_get(sum, "invalid")),
                         0);
    }
    apiresp_release(&r);
    assert_int_equal(count_on(f, "hnte", "2024-01-01"), 0);
    snprintf(url, sizeof url, "/api/v1/qualifications/imports/%lld/apply",
             (long long)imp);
    snprintf(body, sizeof body,
             "{\"resolutions\": [{\"row\": 7, \"enterprise_id\": %lld}]}",
             (long long)ids[3]);
    apitest_request(f->t, "POST", url, body, NULL, &r);
    if (r.status != 200) {
        fail_msg("apply: %d %s", r.status, r.body);
    }
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "summary"), "inserted")),
                     5);
    apiresp_release(&r);
    assert_int_equal(count_on(f, "hnte", "2024-01-01"), 5);
    {
        int64_t c = 0;
        Err e;
        assert_int_equal(db_query_int64(f->t->db, &c, &e,
                                        "SELECT COUNT(*) FROM qualifications "
                                        "WHERE enterprise_id = $1 AND cert_no "
                                        "= 'GR202312000103' AND issued_on = "
                                        "'2023-12-08'",
                                        "i", ids[3]),
                         0);
        assert_int_equal(c, 1);
    }
}

/* The same list as an XLSX of one sheet per district: both sheets read,
 * rows named by sheet; a resolution names its sheet (rows of two sheets
 * share numbers), one without a sheet is for the first sheet only. */
static void test_import_published_sheets(void **state)
{
    Fx *f = *state;
    int64_t ids[6];
    json_t *chk = NULL, *out = NULL, *res;
    Actor a;
    Err e;

    pub_library(f, ids);
    actor_init_system(&a);
    assert_int_equal(qual_import_check(f->t->db, &a, "hnte", "2023",
                                       "tests/data/qual/hnte_2023.xlsx",
                                       "hnte_2023.xlsx", &chk, &e),
                     0);
    {
        json_t *rows = json_object_get(chk, "rows");
        static const struct {
            const char *sheet;
            long row;
            const char *status;
        } want[] = {{"和平区", 5, "matched"},   {"和平区", 6, "matched"},
                    {"和平区", 7, "ambiguous"}, {"和平区", 8, "unmatched"},
                    {"河东区", 3, "matched"},   {"河东区", 4, "matched"}};

        assert_int_equal(json_array_size(rows), 6);
        for (size_t i = 0; i < 6; i++) {
            json_t *x = json_array_get(rows, i);
            assert_string_equal(apitest_jstr(x, "sheet"), want[i].sheet);
            assert_int_equal(json_integer_value(json_object_get(x, "row")),
                             want[i].row);
            assert_string_equal(apitest_jstr(x, "status"), want[i].status);
        }
    }
    /* 河东区 row 3 skipped by sheet; "row 3" without a sheet is for 和平区
     * (no such row) and skips nothing; 和平区 row 7 picked */
    res = json_pack("[{sIsssI}{sIsssb}{sIsb}]", "row", (json_int_t)7, "sheet",
                    "和平区", "enterprise_id", (json_int_t)ids[2], "row",
                    (json_int_t)3, "sheet", "河东区", "skip", 1, "row",
                    (json_int_t)4, "skip", 1);
    assert_non_null(res);
    if (qual_import_apply(f->t->db, &a,
                          json_integer_value(json_object_get(chk, "id")), res,
                          &out, &e) != 0) {
        fail_msg("apply: %s", e.msg);
    }
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(out, "summary"), "inserted")),
                     4);
    assert_int_equal(count_on(f, "hnte", "2024-01-01"), 4);
    {
        int64_t c = 0;
        assert_int_equal(db_query_int64(f->t->db, &c, &e,
                                        "SELECT COUNT(*) FROM qualifications "
                                        "WHERE cert_no IN ('GR202312000103', "
                                        "'GR202312000106')",
                                        ""),
                         0);
        assert_int_equal(c, 2);
        assert_int_equal(db_query_int64(f->t->db, &c, &e,
                                        "SELECT COUNT(*) FROM qualifications "
                                        "WHERE cert_no = 'GR202312000105'",
                                        ""),
                         0);
        assert_int_equal(c, 0);
    }
    json_decref(res);
    json_decref(chk);
    json_decref(out);
}

/* The data of home-page section key. */
static json_t *wb_section(json_t *wb, const char *key)
{
    json_t *secs = json_object_get(wb, "sections");

    for (size_t i = 0; i < json_array_size(secs); i++) {
        if (strcmp(apitest_jstr(json_array_get(secs, i), "key"), key) == 0) {
            return json_object_get(json_array_get(secs, i), "data");
        }
    }
    fail_msg("no section %s", key);
    return NULL;
}

/* A home-page list equals the first max items of the whole calendar
 * (computed without the window and without the cache) and its total. */
static void wb_list_equals(Fx *f, const Actor *a, json_t *data, Date from,
                           Date to, size_t max, size_t skip)
{
    char df[DATE_ISO_SIZE], dt[DATE_ISO_SIZE];
    json_t *all = NULL, *items = json_object_get(data, "items");
    QualCalFilter qf;
    Err e;

    date_format_iso(from, df);
    date_format_iso(to, dt);
    memset(&qf, 0, sizeof qf);
    qf.from = df;
    qf.to = dt;
    qf.due_only = 1;
    assert_int_equal(qual_cal_items(f->t->db, a, &qf, &all, &e), 0);
    assert_true(json_array_size(all) > max); /* the window trims */
    assert_int_equal(json_integer_value(json_object_get(data, "total")),
                     (json_int_t)(json_array_size(all) + skip));
    assert_int_equal(json_array_size(items), max + skip);
    for (size_t i = 0; i < max; i++) {
        json_t *x = json_array_get(all, i),
               *y = json_array_get(items, i + skip);
        assert_string_equal(apitest_jstr(x, "date"), apitest_jstr(y, "date"));
        assert_string_equal(apitest_jstr(x, "title"), apitest_jstr(y, "title"));
        assert_string_equal(
            apitest_jstr(x, "enterprise_name"),
            json_string_value(json_array_get(json_object_get(y, "detail"), 0)));
    }
    json_decref(all);
}

/* The home page builds only the items it shows and counts both dates in
 * one pass: its figures equal the whole calendar trimmed and the counts
 * computed one date at a time without the cache. Its shared sections and
 * the counts are kept by data version: a write with its audit entry
 * shows at once, a plain SQL update without one does not, nor does it
 * after a login. */
static void test_workbench_cache(void **state)
{
    Fx *f = *state;
    Date today = date_today();
    char d[DATE_ISO_SIZE], p[DATE_ISO_SIZE], name[64];
    json_t *now = NULL, *before = NULL;
    int64_t ents[24];
    Actor a;
    ApiResp r;
    Err e;
    int y, m, dd;

    memset(&a, 0, sizeof a);
    a.user_id = f->t->admin_id;
    a.role = ROLE_ADMIN;
    snprintf(a.unit_path, sizeof a.unit_path, "/%lld/",
             (long long)f->t->root_id);
    /* 24 enterprises, each with a 高企 certificate expiring on each of
     * the next eight days: 2 items (expiry, re-certification window) a
     * day each, more than the page shows */
    for (int i = 0; i < 24; i++) {
        snprintf(name, sizeof name, "天津缓存%02d科技有限公司", 23 - i);
        ents[i] = apitest_add_ent(f->t, 100 + i, name,
                                  i % 2 ? f->street_a : f->street_b);
        for (int k = 0; k < 8; k++) {
            char vt[DATE_ISO_SIZE], no[32];
            date_format_iso(date_add_days(today, k), vt);
            snprintf(no, sizeof no, "GRC%02d%02d", i, k);
            assert_int_equal(
                db_exec_v(f->t->db, &e,
                          "INSERT INTO qualifications (enterprise_id, kind, "
                          "level, cert_no, valid_from, valid_to, src_at, "
                          "created_at, updated_at) VALUES ($1, 'hnte', "
                          "'national', $2, '2020-01-01', $3, 'x', 'x', 'x')",
                          "itt", ents[i], no, vt),
                0);
        }
    }
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    qual_cache_clear();
    wb_list_equals(f, &a, wb_section(r.json, "todos"), today,
                   date_add_days(today, 7), 50, 0);
    {
        Date first, last;
        json_t *data = wb_section(r.json, "deadlines");
        json_t *bk = json_object_get(data, "by_kind");
        json_int_t sum = 0;

        date_to_ymd(today, &y, &m, NULL);
        date_from_ymd(y, m, 1, &first, NULL, NULL);
        date_from_ymd(y, m, date_days_in_month(y, m), &last, NULL, NULL);
        /* a month ending within the week has fewer items than shown */
        if (date_diff_days(today, last) >= 7) {
            wb_list_equals(f, &a, data, first, last, 100, 0);
        }
        for (size_t i = 0; i < json_array_size(bk); i++) {
            sum += json_integer_value(
                json_object_get(json_array_get(bk, i), "count"));
        }
        assert_int_equal(sum,
                         json_integer_value(json_object_get(data, "total")));
    }
    /* the counts of both dates equal those of one date each */
    date_to_ymd(today, &y, &m, &dd);
    if (m == 2 && dd == 29) {
        dd = 28;
    }
    {
        Date prev;
        date_from_ymd(y - 1, m, dd, &prev, NULL, NULL);
        date_format_iso(today, d);
        date_format_iso(prev, p);
    }
    assert_int_equal(qual_counts(f->t->db, &a, d, 0, 0, &now, &e), 0);
    qual_cache_clear();
    assert_int_equal(qual_counts(f->t->db, &a, p, 0, 0, &before, &e), 0);
    {
        json_t *items =
            json_object_get(wb_section(r.json, "tier_counts"), "items");
        json_t *ni = json_object_get(now, "items");
        json_t *bi = json_object_get(before, "items");
        assert_int_equal(json_array_size(items), json_array_size(ni));
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            assert_string_equal(apitest_jstr(it, "code"),
                                apitest_jstr(json_array_get(ni, i), "kind"));
            assert_int_equal(json_integer_value(json_object_get(it, "count")),
                             json_integer_value(json_object_get(
                                 json_array_get(ni, i), "count")));
            assert_int_equal(json_integer_value(json_object_get(it, "compare")),
                             json_integer_value(json_object_get(
                                 json_array_get(bi, i), "count")));
            if (strcmp(apitest_jstr(it, "code"), "hnte") == 0) {
                assert_int_equal(
                    json_integer_value(json_object_get(it, "count")), 24);
            }
        }
    }
    json_decref(now);
    json_decref(before);
    apiresp_release(&r);

    /* kept: a plain SQL update without an audit entry is not seen ... */
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    apiresp_release(&r);
    assert_int_equal(unit_count(f, "hnte", f->street_a, d), 12);
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE qualifications SET valid_to = "
                               "'2000-01-01', valid_from = '2000-01-01' "
                               "WHERE enterprise_id = $1",
                               "i", ents[1]),
                     0);
    assert_int_equal(unit_count(f, "hnte", f->street_a, d), 12);
    /* ... nor after a login, whose audit entry changes no figure */
    {
        int64_t before_id = 0, after_id = 0;
        assert_int_equal(db_query_int64(f->t->db, &before_id, &e,
                                        "SELECT MAX(id) FROM audit_log", ""),
                         0);
        assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD),
                         200);
        assert_int_equal(db_query_int64(f->t->db, &after_id, &e,
                                        "SELECT MAX(id) FROM audit_log", ""),
                         0);
        assert_true(after_id > before_id);
    }
    assert_int_equal(unit_count(f, "hnte", f->street_a, d), 12);
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    assert_int_equal(json_integer_value(
                         json_object_get(wb_section(r.json, "todos"), "total")),
                     24 * 16);
    apiresp_release(&r);
    /* ... a write with its audit entry moves the data version: both are
     * computed again and show the update too */
    {
        char url[160];
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld",
                 (long long)ents[3]);
        assert_int_equal(apitest_status(f->t, "PATCH", url,
                                        "{\"retired\": true, "
                                        "\"retire_reason\": \"注销\"}"),
                         200);
    }
    assert_int_equal(unit_count(f, "hnte", f->street_a, d), 10);
    apitest_request(f->t, "GET", "/api/v1/workbench", NULL, NULL, &r);
    assert_int_equal(json_integer_value(
                         json_object_get(wb_section(r.json, "todos"), "total")),
                     22 * 16);
    apiresp_release(&r);
}

/* qual_insert_many writes what qual_insert would, row by row: the same
 * computed expiry, 首次 / 再认定 counting the register and the earlier
 * rows (within one statement and across statements of 200 rows), the
 * enterprise's unit on the row, ids in the rows' order; a bad row stops
 * it, named by its index, earlier rows' errors first. */
static void test_insert_many(void **state)
{
    Fx *f = *state;
    enum { N = 450 };
    int64_t ents[N], ids[N], n0 = 0, n1 = 0;
    static char nos[N][24], dates[N][DATE_ISO_SIZE];
    QualInput in[N];
    QualSource src = {"import", 7};
    size_t failed = 0;
    Err e;

    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR201812000601\", \"issued_on\": "
                               "\"2018-11-01\"}",
                               NULL, NULL, NULL),
                     201);
    memset(in, 0, sizeof in);
    for (int i = 0; i < N; i++) {
        int64_t three[3] = {f->ent_a, f->ent_b, f->ent_c};
        ents[i] = three[i % 3];
        snprintf(nos[i], sizeof nos[i], "GR202012%06d", i);
        date_format_iso(date_add_days(date_today(), -2000 + i), dates[i]);
        in[i].kind = "hnte";
        in[i].cert_no = nos[i];
        in[i].issued_on = dates[i];
    }
    assert_int_equal(db_begin(f->t->db, &e), 0);
    assert_int_equal(qual_insert_many(f->t->db, f->t->admin_id, ents, in, N,
                                      &src, ids, &failed, &e),
                     0);
    assert_int_equal(db_commit(f->t->db, &e), 0);
    assert_int_equal(failed, N);
    assert_int_equal(units_out_of_step(f), 0);
    for (int i = 0; i < N; i++) {
        DbStmt *st = NULL;
        char vt[DATE_ISO_SIZE];
        int y, m, d;
        Date issued;

        assert_int_equal(
            db_prepare_v(f->t->db, &st, &e,
                         "SELECT enterprise_id, cert_no, basis, valid_to, "
                         "src_kind, src_ref, level FROM qualifications "
                         "WHERE id = $1",
                         "i", ids[i]),
            0);
        assert_int_equal(db_step(st, &e), DB_ROW);
        assert_int_equal(db_col_int64(st, 0), ents[i]);
        assert_string_equal(db_col_text(st, 1), nos[i]);
        /* A has a 2018 record; B and C start with their first row */
        assert_string_equal(db_col_text(st, 2),
                            i >= 3 || ents[i] == f->ent_a ? "recert" : "first");
        date_parse(dates[i], &issued, NULL, NULL);
        date_to_ymd(issued, &y, &m, &d);
        if (m == 2 && d == 29) {
            d = 28;
        }
        date_from_ymd(y + 3, m, d, &issued, NULL, NULL);
        date_format_iso(date_add_days(issued, -1), vt);
        assert_string_equal(db_col_text(st, 3), vt);
        assert_string_equal(db_col_text(st, 4), "import");
        assert_int_equal(db_col_int64(st, 5), 7);
        assert_non_null(db_col_text(st, 6));
        db_finalize(st);
    }
    assert_int_equal(db_query_int64(f->t->db, &n0, &e,
                                    "SELECT COUNT(*) FROM qualifications", ""),
                     0);
    /* a number registered already, at row 250 of 300 (second statement),
     * stops there; an expiry before the issue date at row 10 is named
     * first; nothing is kept after the rollback */
    for (int i = 0; i < 300; i++) {
        snprintf(nos[i], sizeof nos[i], "GR202112%06d", i);
    }
    snprintf(nos[250], sizeof nos[250], "GR202012000017");
    assert_int_equal(db_begin(f->t->db, &e), 0);
    assert_int_not_equal(qual_insert_many(f->t->db, f->t->admin_id, ents, in,
                                          300, &src, ids, &failed, &e),
                         0);
    db_rollback(f->t->db);
    assert_int_equal(failed, 250);
    assert_string_equal(e.field, "cert_no");
    assert_non_null(strstr(e.msg, "GR202012000017"));
    in[10].valid_to = "2000-01-01";
    assert_int_equal(db_begin(f->t->db, &e), 0);
    assert_int_equal(qual_insert_many(f->t->db, f->t->admin_id, ents, in, 300,
                                      &src, ids, &failed, &e),
                     ERR_INVALID);
    db_rollback(f->t->db);
    assert_int_equal(failed, 10);
    assert_string_equal(e.field, "valid_to");
    /* the same number twice among the rows */
    in[10].valid_to = NULL;
    snprintf(nos[250], sizeof nos[250], "GR202112000249");
    assert_int_equal(db_begin(f->t->db, &e), 0);
    assert_int_equal(qual_insert_many(f->t->db, f->t->admin_id, ents, in, 300,
                                      &src, ids, &failed, &e),
                     ERR_CONFLICT);
    db_rollback(f->t->db);
    assert_int_equal(failed, 250);
    assert_int_equal(db_query_int64(f->t->db, &n1, &e,
                                    "SELECT COUNT(*) FROM qualifications", ""),
                     0);
    assert_int_equal(n1, n0);
}

/* Matching a list in rounds of lookups gives each row what matching it
 * alone gave: by USCC first, a name written with ASCII parentheses finds
 * the full-width one, a number registered for the same enterprise is
 * "exists", for another one invalid naming the holder, a bad USCC and a
 * number repeated in the file (in the second round of 200 rows too) are
 * invalid; apply writes the matched rows only. */
static void test_import_match(void **state)
{
    Fx *f = *state;
    static const char *const hdr[] = {"X-File-Name", "m.csv", NULL};
    char uscc_a[USCC_LEN + 1], line[256], url[160];
    int64_t d, imp;
    Buf b;
    ApiResp r;

    d = apitest_add_ent(f->t, 21, "天津（丁）科技有限公司", f->street_a);
    assert_int_equal(post_qual(f, f->ent_b,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202112000702\", \"issued_on\": "
                               "\"2021-12-01\"}",
                               NULL, NULL, NULL),
                     201);
    assert_int_equal(post_qual(f, f->ent_a,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202112000703\", \"issued_on\": "
                               "\"2021-12-01\"}",
                               NULL, NULL, NULL),
                     201);
    apitest_uscc(1, uscc_a);
    buf_init(&b, 0);
    buf_append_str(&b, "企业名称,统一社会信用代码,证书编号,认定日期\r\n");
    buf_appendf(&b, "别的名字,%s,GR202212000701,2022-12-01\r\n", uscc_a);
    buf_append_str(&b, "天津乙科技有限公司,,GR202112000702,2021-12-01\r\n");
    buf_append_str(&b, "天津丙科技有限公司,,GR202112000703,2021-12-01\r\n");
    buf_append_str(&b, "天津甲科技有限公司,91120102MA00001,"
                       "GR202212000704,2022-12-01\r\n");
    buf_append_str(&b, "天津(丁)科技有限公司,,GR202212000705,2022-12-01\r\n");
    for (int i = 0; i < 250; i++) {
        snprintf(line, sizeof line,
                 "天津无此%03d有限公司,,GR202212%06d,"
                 "2022-12-01\r\n",
                 i, 1000 + i);
        buf_append_str(&b, line);
    }
    buf_append_str(&b, "天津丙科技有限公司,,gr202212000701,2022-12-01\r\n");
    apitest_request(f->t, "POST", "/api/v1/qualifications/imports?kind=hnte",
                    b.data, hdr, &r);
    buf_release(&b);
    if (r.status != 201) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    imp = json_integer_value(json_object_get(r.json, "id"));
    {
        json_t *rows = json_object_get(r.json, "rows");
        json_t *x;

        assert_int_equal(json_array_size(rows), 256);
        x = json_array_get(rows, 0);
        assert_string_equal(apitest_jstr(x, "status"), "matched");
        assert_string_equal(apitest_jstr(x, "matched_by"), "uscc");
        assert_int_equal(
            json_integer_value(json_object_get(x, "enterprise_id")), f->ent_a);
        x = json_array_get(rows, 1);
        assert_string_equal(apitest_jstr(x, "status"), "exists");
        x = json_array_get(rows, 2);
        assert_string_equal(apitest_jstr(x, "status"), "invalid");
        assert_non_null(
            strstr(apitest_jstr(x, "message"), "天津甲科技有限公司"));
        x = json_array_get(rows, 3);
        assert_string_equal(apitest_jstr(x, "status"), "invalid");
        assert_non_null(
            strstr(apitest_jstr(x, "message"), "统一社会信用代码有误"));
        x = json_array_get(rows, 4);
        assert_string_equal(apitest_jstr(x, "status"), "matched");
        assert_int_equal(
            json_integer_value(json_object_get(x, "enterprise_id")), d);
        assert_string_equal(apitest_jstr(json_array_get(rows, 200), "status"),
                            "unmatched");
        x = json_array_get(rows, 255);
        assert_string_equal(apitest_jstr(x, "status"), "invalid");
        assert_non_null(strstr(apitest_jstr(x, "message"), "第 2 行重复"));
    }
    apiresp_release(&r);
    /* the invalid rows skipped: two rows written */
    snprintf(url, sizeof url, "/api/v1/qualifications/imports/%lld/apply",
             (long long)imp);
    apitest_request(f->t, "POST", url,
                    "{\"resolutions\": [{\"row\": 4, \"skip\": true}, "
                    "{\"row\": 5, \"skip\": true}, {\"row\": 257, \"skip\": "
                    "true}]}",
                    NULL, &r);
    if (r.status != 200) {
        fail_msg("apply: %d %s", r.status, r.body);
    }
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "summary"), "inserted")),
                     2);
    apiresp_release(&r);
    assert_int_equal(count_on(f, "hnte", "2023-06-30"), 3);
}

/* The register rows an import wrote, one line each in number order. */
static void import_rows_text(Fx *f, int64_t imp, Buf *out)
{
    DbStmt *st = NULL;
    Err e;

    buf_reset(out);
    assert_int_equal(
        db_prepare_v(f->t->db, &st, &e,
                     "SELECT enterprise_id, kind, cert_no, batch, issued_on, "
                     "valid_from, valid_to, basis, status, unit_id, level, "
                     "src_user_id FROM qualifications WHERE src_kind = "
                     "'import' AND src_ref = $1 ORDER BY cert_no",
                     "i", imp),
        0);
    while (db_step(st, &e) == DB_ROW) {
        for (int c = 0; c < 12; c++) {
            buf_appendf(out, "%s|",
                        db_col_text(st, c) ? db_col_text(st, c) : "(null)");
        }
        buf_append_char(out, '\n');
    }
    db_finalize(st);
    assert_int_equal(out->err, 0);
}

/* A 5,000-row list applied from the checked rows in memory
 * (qual_import_apply_checked, the CLI's path) writes the same register
 * rows and gives the same report as applied from the stored import
 * (qual_import_apply): matched by USCC, name, former name and
 * parentheses, ambiguous and unmatched rows skipped or resolved, a
 * number already registered skipped, 首次 / 再认定 over the register and
 * the list; an invalid row refuses either apply and nothing is written. */
static void test_import_checked_same(void **state)
{
    Fx *f = *state;
    enum { NE = 1200, NR = 5000 };
    char path[] = "/tmp/kc-test-qual-XXXXXX", code[USCC_LEN + 1];
    int64_t first_ent = 0, twin = 0, exp_matched = 0, exp_amb = 0;
    int64_t exp_unm = 0, exp_exists = 0, n0 = 0, n1 = 0;
    json_t *ca = NULL, *cb = NULL, *oa = NULL, *ob = NULL, *res;
    QualImportList *lc = NULL;
    Actor a;
    Buf b, ta, tb;
    FILE *fp;
    Err e;
    int fd;

    actor_init_system(&a);
    /* NE enterprises in street A; every 4th with a former name; two share
     * a name; one has full-width parentheses */
    assert_int_equal(db_begin(f->t->db, &e), 0);
    for (int i = 0; i < NE + 1; i++) {
        char name[96];
        int64_t id = 0;

        apitest_uscc(5000 + i, code);
        if (i == NE) {
            snprintf(name, sizeof name, "天津批量%04d有限公司", 7);
        } else if (i == 5) {
            snprintf(name, sizeof name, "天津（批量）%04d有限公司", i);
        } else {
            snprintf(name, sizeof name, "天津批量%04d有限公司", i);
        }
        assert_int_equal(
            db_query_int64(f->t->db, &id, &e,
                           "INSERT INTO enterprises (uscc, name, unit_id, "
                           "src_at, created_at, updated_at) VALUES ($1, $2, "
                           "$3, 'x', 'x', 'x') RETURNING id",
                           "tti", code, name, f->street_a),
            0);
        if (i == 0) {
            first_ent = id;
        }
        if (i == NE) {
            twin = id;
        }
        if (i % 4 == 1 && i < NE) {
            snprintf(name, sizeof name, "天津旧批量%04d公司", i);
            assert_int_equal(db_exec_v(f->t->db, &e,
                                       "INSERT INTO enterprise_names "
                                       "(enterprise_id, name, created_at) "
                                       "VALUES ($1, $2, 'x')",
                                       "it", id, name),
                             0);
        }
    }
    assert_int_equal(db_commit(f->t->db, &e), 0);
    /* a number registered already for enterprise 3 */
    assert_int_equal(post_qual(f, first_ent + 3,
                               "{\"kind\": \"hnte\", \"cert_no\": "
                               "\"GR202012000003\", \"issued_on\": "
                               "\"2020-12-01\"}",
                               NULL, NULL, NULL),
                     201);
    buf_init(&b, 0);
    buf_append_str(&b, "企业名称,统一社会信用代码,证书编号,认定日期,批次\r\n");
    for (int k = 0; k < NR; k++) {
        int i = k % NE, year = 2019 + (k / NE) % 4;
        char name[96];

        code[0] = '\0';
        if (k == 3) {
            snprintf(name, sizeof name, "天津批量%04d有限公司", 3);
            year = 2020;
            exp_exists++;
        } else if (k % 97 == 11) {
            snprintf(name, sizeof name, "天津无此%05d公司", k);
            exp_unm++;
        } else if (k % 101 == 7 || i == 7) {
            snprintf(name, sizeof name, "天津批量%04d有限公司", 7);
            exp_amb++;
        } else if (i == 5) {
            snprintf(name, sizeof name, "天津(批量)%04d有限公司", i);
            exp_matched++;
        } else if (i % 4 == 1) {
            snprintf(name, sizeof name, "天津旧批量%04d公司", i);
            exp_matched++;
        } else {
            snprintf(name, sizeof name, "天津批量%04d有限公司", i);
            if (k % 7 == 2) {
                apitest_uscc(5000 + i, code);
            }
            exp_matched++;
        }
        buf_appendf(&b, "%s,%s,GR%04d12%06d,%04d-12-01,%s\r\n", name, code,
                    year, k, year, k % 2 ? "第一批" : "");
    }
    /* row NR + 2: no date nor number is fine, a bad date is not */
    buf_append_str(&b, "天津批量0010有限公司,,GR202112999999,2021-13-01,\r\n");
    /* row NR + 3: quotes, a backslash, a tab and a control character
     * (unmatched), as the stored JSON must escape them */
    buf_append_str(&b, "\"天津\"\"引号\"\"\\\t\x01公司\",,GR202112999998,"
                       "2021-12-01,\r\n");
    exp_unm++;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
    fclose(fp);
    buf_release(&b);
    /* two checks of the same list: A applied from the stored import, B
     * from the rows in memory */
    assert_int_equal(qual_import_check(f->t->db, &a, "hnte", "2019-2022", path,
                                       "a.csv", &ca, &e),
                     0);
    assert_int_equal(qual_import_check(f->t->db, &a, "hnte", "2019-2022", path,
                                       "b.csv", &cb, &e),
                     0);
    /* C: the list the CLI checks and applies (qual_import_check_list) */
    assert_int_equal(qual_import_check_list(f->t->db, &a, "hnte", "2019-2022",
                                            path, "c.csv", &lc, &e),
                     0);
    unlink(path);
    {
        json_t *jc = qual_import_list_json(lc);
        assert_true(json_equal(json_object_get(ca, "rows"),
                               json_object_get(jc, "rows")));
        assert_true(json_equal(json_object_get(ca, "summary"),
                               json_object_get(jc, "summary")));
        assert_int_equal(json_integer_value(json_object_get(jc, "header_row")),
                         1);
        json_decref(jc);
    }
    {
        json_t *s = json_object_get(ca, "summary");
        assert_int_equal(json_integer_value(json_object_get(s, "rows")),
                         NR + 2);
        assert_int_equal(json_integer_value(json_object_get(s, "matched")),
                         exp_matched);
        assert_int_equal(json_integer_value(json_object_get(s, "ambiguous")),
                         exp_amb);
        assert_int_equal(json_integer_value(json_object_get(s, "unmatched")),
                         exp_unm);
        assert_int_equal(json_integer_value(json_object_get(s, "exists")),
                         exp_exists);
        assert_int_equal(json_integer_value(json_object_get(s, "invalid")), 1);
        assert_true(json_equal(json_object_get(ca, "rows"),
                               json_object_get(cb, "rows")));
        /* the row by former name, the ASCII parentheses */
        assert_string_equal(
            apitest_jstr(json_array_get(json_object_get(ca, "rows"), 1),
                         "matched_by"),
            "former_name");
        assert_string_equal(
            apitest_jstr(json_array_get(json_object_get(ca, "rows"), 5),
                         "status"),
            "matched");
    }
    /* the stored rows are the rows of the report, as json_dumps writes
     * them */
    {
        char *want = json_dumps(json_object_get(ca, "rows"), JSON_COMPACT);
        char *got = NULL;
        assert_int_equal(
            db_query_text(f->t->db, &got, &e,
                          "SELECT rows_json FROM qual_imports WHERE id = $1",
                          "i", json_integer_value(json_object_get(ca, "id"))),
            0);
        assert_non_null(want);
        assert_non_null(strstr(want, "\\\"引号\\\"\\\\\\t\\u0001公司"));
        if (strcmp(got, want) != 0) {
            size_t k = 0;
            while (got[k] && got[k] == want[k]) {
                k++;
            }
            fail_msg("stored rows differ at byte %zu: %.120s | %.120s", k,
                     got + (k > 60 ? k - 60 : 0), want + (k > 60 ? k - 60 : 0));
        }
        free(want);
        free(got);
    }
    assert_int_equal(db_query_int64(f->t->db, &n0, &e,
                                    "SELECT COUNT(*) FROM qualifications", ""),
                     0);
    /* the invalid row refuses both, naming it; nothing written */
    assert_int_equal(qual_import_apply_checked(f->t->db, &a, cb, NULL, &ob, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "第 5002 行"));
    assert_null(ob);
    assert_string_equal(apitest_jstr(cb, "status"), "checked");
    assert_int_equal(
        qual_import_apply(f->t->db, &a,
                          json_integer_value(json_object_get(ca, "id")), NULL,
                          &oa, &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "第 5002 行"));
    assert_int_equal(qual_import_apply_list(f->t->db, &a, lc, NULL, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "第 5002 行"));
    assert_string_equal(lc->status, "checked");
    assert_int_equal(db_query_int64(f->t->db, &n1, &e,
                                    "SELECT COUNT(*) FROM qualifications", ""),
                     0);
    assert_int_equal(n1, n0);
    /* skip it, pick the twin for one ambiguous row */
    res = json_pack("[{sIsb}{sIsI}]", "row", (json_int_t)(NR + 2), "skip", 1,
                    "row", (json_int_t)(7 + 2), "enterprise_id",
                    (json_int_t)twin);
    assert_int_equal(
        qual_import_apply(f->t->db, &a,
                          json_integer_value(json_object_get(ca, "id")), res,
                          &oa, &e),
        0);
    buf_init(&ta, 0);
    buf_init(&tb, 0);
    import_rows_text(f, json_integer_value(json_object_get(ca, "id")), &ta);
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "DELETE FROM qualifications WHERE src_kind = "
                               "'import' AND src_ref = $1",
                               "i",
                               json_integer_value(json_object_get(ca, "id"))),
                     0);
    assert_int_equal(qual_import_apply_checked(f->t->db, &a, cb, res, &ob, &e),
                     0);
    import_rows_text(f, json_integer_value(json_object_get(cb, "id")), &tb);
    assert_string_equal(ta.data, tb.data);
    /* the bulk mode of a list this long is over: references are checked
     * again */
    assert_int_not_equal(db_exec_v(f->t->db, &e,
                                   "INSERT INTO enterprise_names "
                                   "(enterprise_id, name, created_at) VALUES "
                                   "(999999999, 'x', 'x')",
                                   ""),
                         0);
    /* every matched row and the resolved one; 首次 and 再认定 both */
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(ob, "summary"), "inserted")),
                     exp_matched + 1);
    assert_non_null(strstr(tb.data, "|first|"));
    assert_non_null(strstr(tb.data, "|recert|"));
    /* the same report but for its id and time */
    assert_string_equal(apitest_jstr(ob, "status"), "applied");
    assert_true(apitest_jstr(ob, "applied_at")[0] != '\0');
    json_object_del(oa, "id");
    json_object_del(ob, "id");
    json_object_del(oa, "file_name");
    json_object_del(ob, "file_name");
    json_object_del(oa, "applied_at");
    json_object_del(ob, "applied_at");
    assert_true(json_equal(oa, ob));
    assert_null(json_object_get(ob, "header_row"));
    /* C from the list: the same register rows and report (ob is cb: B's
     * id is gone from it) */
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "DELETE FROM qualifications WHERE src_kind = "
                               "'import'",
                               ""),
                     0);
    if (qual_import_apply_list(f->t->db, &a, lc, res, &e) != 0) {
        fail_msg("apply list: %s", e.msg);
    }
    {
        json_t *oc = qual_import_list_json(lc);
        Buf tc;

        buf_init(&tc, 0);
        import_rows_text(f, lc->id, &tc);
        assert_string_equal(ta.data, tc.data);
        buf_release(&tc);
        assert_string_equal(apitest_jstr(oc, "status"), "applied");
        json_object_del(oc, "id");
        json_object_del(oc, "file_name");
        json_object_del(oc, "applied_at");
        assert_true(json_equal(oa, oc));
        json_decref(oc);
    }
    qual_import_list_free(lc);
    /* applied once only */
    {
        json_t *again = NULL;
        json_object_set_new(
            cb, "id",
            json_integer(json_integer_value(json_object_get(ca, "id"))));
        assert_int_equal(
            qual_import_apply_checked(f->t->db, &a, cb, NULL, &again, &e),
            ERR_CONFLICT);
        assert_null(again);
    }
    json_decref(res);
    json_decref(ca);
    json_decref(cb);
    json_decref(oa);
    json_decref(ob);
    buf_release(&ta);
    buf_release(&tb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_on_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_follow_unit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_export_filter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calendar_workbench, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_published_csv, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_published_sheets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_workbench_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_checked_same, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
