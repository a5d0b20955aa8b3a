/* test_import.c - the import contract of docs/ui.md through the real
 * dispatcher: templates, upload with dry run, the validation report (row,
 * column, message), 409 for mode all with invalid rows, apply of the valid
 * rows, the full error report, cancellation during apply (nothing
 * written), conflicts (list, export, resolve) and the district-wide lists
 * with the templates' columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "base/buf.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/io/columns.h"
#include "domain/io/import.h"
#include "domain/jobs/job.h"

static int setup(void **state)
{
    *state = apitest_new();
    return 0;
}

static int teardown(void **state)
{
    job_wait_all(1);
    import_limits_set(NULL);
    apitest_free(*state);
    return 0;
}

static int64_t count(ApiTest *t, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(t->db, &n, &e, sql, ""), 0);
    return n;
}

/* Upload body as kind (dry run), wait for the validation; returns the id
 * and leaves the import in r. */
static int64_t upload(ApiTest *t, const char *kind, const char *body,
                      ApiResp *r)
{
    static const char *const hdr[] = {"X-File-Name", "%E4%BC%81%E4%B8%9A.csv",
                                      NULL};
    char url[96];
    int64_t id;

    snprintf(url, sizeof url, "/api/v1/imports/%s?dry_run=true", kind);
    assert_int_equal(apitest_request(t, "POST", url, body, hdr, r), 202);
    id = apitest_jint(r->json, "id");
    assert_true(id > 0);
    assert_string_equal(apitest_jstr(r->json, "kind"), kind);
    apiresp_release(r);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    assert_int_equal(apitest_request(t, "GET", url, NULL, NULL, r), 200);
    return id;
}

static void test_template(void **state)
{
    ApiTest *t = *state;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/imports/figures/template?format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "\xEF\xBB\xBF统一社会信用代码,企业名称,年度,",
                        strlen("\xEF\xBB\xBF统一社会信用代码,企业名称,年度,"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/imports/ip/template", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(t, "GET", "/api/v1/imports/nosuch/template", NULL), 404);
}

static void test_validate_apply(void **state)
{
    ApiTest *t = *state;
    char a[USCC_LEN + 1], b[USCC_LEN + 1], url[96];
    Buf body;
    ApiResp r;
    json_t *err0;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(1, a);
    apitest_uscc(2, b);
    buf_init(&body, 1 << 16);
    buf_appendf(&body,
                "\xEF\xBB\xBF统一社会信用代码,企业名称,成立日期\r\n"
                "%s,天津甲科技有限公司,2019-05-20\r\n"
                "%s,天津乙科技有限公司,2021/2/30\r\n",
                a, b);
    id = upload(t, "enterprises", body.data, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "validated");
    assert_string_equal(apitest_jstr(r.json, "file_name"), "企业.csv");
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "rows"),
                     2);
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "valid"),
                     1);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "invalid"), 1);
    assert_int_equal(apitest_jint(r.json, "errors_total"), 1);
    err0 = json_array_get(json_object_get(r.json, "errors"), 0);
    assert_int_equal(apitest_jint(err0, "row"), 3);
    assert_string_equal(apitest_jstr(err0, "column"), "成立日期");
    assert_string_equal(apitest_jstr(err0, "field"), "established_on");
    assert_string_equal(apitest_jstr(err0, "message"), "2021年2月没有30日");
    apiresp_release(&r);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), 0);

    /* mode all with an invalid row: 409, nothing written */
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 409);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"some\"}"),
                     400);
    apitest_request(t, "POST", url, "{\"mode\":\"valid\"}", NULL, &r);
    assert_int_equal(r.status, 202);
    /* the write runs as a job: the answer gives its state when answered,
     * which on a fast machine may already be the end */
    assert_true(strcmp(apitest_jstr(r.json, "status"), "applying") == 0 ||
                strcmp(apitest_jstr(r.json, "status"), "done") == 0);
    apiresp_release(&r);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "done");
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "inserted"), 1);
    apiresp_release(&r);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises WHERE "
                              "src_kind = 'import' AND src_ref IS NOT NULL"),
                     1);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'import.apply'"),
                     1);
    /* applied once only */
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"valid\"}"),
                     409);

    /* the full error report */
    snprintf(url, sizeof url, "/api/v1/imports/%lld/errors?format=csv",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "3,成立日期,2021年2月没有30日"));
    apiresp_release(&r);

    /* the list of imports */
    apitest_request(t, "GET", "/api/v1/imports", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    buf_release(&body);
}

static void test_unreadable_file(void **state)
{
    ApiTest *t = *state;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    upload(t, "figures", "企业名称,职工总数（人）\r\n甲,3\r\n", &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "failed");
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "error"), "message"),
        "缺少必填列：“统一社会信用代码”、“年度”（表头在第 1 行）");
    apiresp_release(&r);
}

/* Cancel during the write: rolled back, status cancelled. */
static void test_cancel_apply(void **state)
{
    ApiTest *t = *state;
    char code[USCC_LEN + 1], url[96];
    ApiResp r;
    Buf body;
    int64_t id;
    int i;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    buf_init(&body, (size_t)16 << 20);
    buf_append_str(&body, "统一社会信用代码,企业名称\n");
    for (i = 0; i < 60000; i++) {
        apitest_uscc(1000 + i, code);
        buf_appendf(&body, "%s,企业%d\n", code, i);
    }
    id = upload(t, "enterprises", body.data, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "validated");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    snprintf(url, sizeof url, "/api/v1/jobs/%lld/cancel", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, NULL), 202);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "cancelled");
    apiresp_release(&r);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), 0);
    buf_release(&body);
}

#define SMALL_FIG "统一社会信用代码,年度\n91120102MA0000001T,2024\n"

/* POST a small dry run; returns the status, the message in msg. */
static int post_upload(ApiTest *t, char *msg, size_t cap)
{
    ApiResp r;
    int status;

    status = apitest_request(t, "POST", "/api/v1/imports/figures?dry_run=true",
                             SMALL_FIG, NULL, &r);
    snprintf(msg, cap, "%s",
             status >= 400 && r.json
                 ? apitest_jstr(json_object_get(r.json, "error"), "message")
                 : "");
    apiresp_release(&r);
    job_wait_all(0);
    return status;
}

/* Issue item 4: one running import per user. While an import of the user
 * validates or writes, another upload or an apply gets 409. */
static void test_one_running_import_per_user(void **state)
{
    ApiTest *t = *state;
    char sql[160], msg[512], url[96];
    ApiResp r;
    int64_t a, b;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    a = upload(t, "figures", SMALL_FIG, &r);
    apiresp_release(&r);
    b = upload(t, "figures", SMALL_FIG, &r);
    apiresp_release(&r);
    /* a is busy (as while its worker runs) */
    snprintf(sql, sizeof sql,
             "UPDATE jobs SET status = 'running' WHERE id = %lld",
             (long long)a);
    assert_int_equal(db_exec(t->db, sql, NULL), 0);
    assert_int_equal(post_upload(t, msg, sizeof msg), 409);
    assert_string_equal(msg,
                        "您已有一个导入任务正在校验或写入，请等它结束后再提交");
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)b);
    assert_int_equal(
        apitest_request(t, "POST", url, "{\"mode\":\"valid\"}", NULL, &r), 409);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "error"), "message"),
        "您已有一个导入任务正在校验或写入，请等它结束后再提交");
    apiresp_release(&r);
    /* when it has ended, the next upload is accepted */
    snprintf(sql, sizeof sql, "UPDATE jobs SET status = 'done' WHERE id = %lld",
             (long long)a);
    assert_int_equal(db_exec(t->db, sql, NULL), 0);
    assert_int_equal(post_upload(t, msg, sizeof msg), 202);
}

/* Issue item 5: staged uploads are capped per user (count, bytes) and in
 * total, and need free space beside the database. */
static void test_upload_caps(void **state)
{
    ApiTest *t = *state;
    ImportLimits l;
    char msg[512];

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    memset(&l, 0, sizeof l);
    l.user_uploads = 2;
    import_limits_set(&l);
    assert_int_equal(post_upload(t, msg, sizeof msg), 202);
    assert_int_equal(post_upload(t, msg, sizeof msg), 202);
    assert_int_equal(post_upload(t, msg, sizeof msg), 409);
    assert_string_equal(msg, "您已有 2 个上传的文件等待导入（上限 2 个），"
                             "请先导入或取消后再上传");
    /* a failed or cancelled import no longer counts */
    assert_int_equal(db_exec(t->db,
                             "UPDATE jobs SET status = 'cancelled' WHERE id = "
                             "(SELECT MIN(id) FROM jobs)",
                             NULL),
                     0);
    if (post_upload(t, msg, sizeof msg) != 202) {
        fail_msg("%s", msg);
    }
    assert_int_equal(count(t, "SELECT COUNT(*) FROM jobs WHERE status = "
                              "'validated'"),
                     2);

    l.user_uploads = 100;
    l.user_bytes = (int64_t)(3 * strlen(SMALL_FIG) + 1);
    import_limits_set(&l);
    assert_int_equal(post_upload(t, msg, sizeof msg), 202);
    assert_int_equal(post_upload(t, msg, sizeof msg), 409);
    assert_non_null(strstr(msg, "加上本文件超过上限"));

    memset(&l, 0, sizeof l);
    l.user_uploads = 100;
    l.total_uploads = 3;
    import_limits_set(&l);
    assert_int_equal(post_upload(t, msg, sizeof msg), 429);
    assert_string_equal(msg, "服务器暂存的上传文件已达上限（3 个、2048 MB），"
                             "请稍后再试");

    memset(&l, 0, sizeof l);
    l.user_uploads = 100;
    l.total_uploads = 100;
    l.disk_reserve = INT64_MAX / 2; /* more than any disk has */
    import_limits_set(&l);
    assert_int_equal(post_upload(t, msg, sizeof msg), 429);
    assert_string_equal(
        msg, "服务器磁盘空间不足，暂不能接收上传的文件，请联系管理员");
}

/* Issue item 5: a validated upload that is not applied expires: the sweep
 * (before each upload, and at start-up) removes its file and cancels the
 * job with a message; applying it is refused. */
static void test_upload_expires(void **state)
{
    ApiTest *t = *state;
    char path[320], url[96];
    struct utimbuf ut;
    ApiResp r;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    id = upload(t, "figures", SMALL_FIG, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "validated");
    apiresp_release(&r);
    if (testdb_is_pg()) {
        /* no file beside the database: the data_dir (testdb_use) */
        snprintf(path, sizeof path, "%s/imports/%lld.upload", t->dir,
                 (long long)id);
    } else {
        snprintf(path, sizeof path, "%s.imports/%lld.upload", t->path,
                 (long long)id);
    }
    assert_int_equal(access(path, F_OK), 0);
    /* 23 hours old: kept */
    ut.actime = ut.modtime = time(NULL) - 23 * 3600;
    assert_int_equal(utime(path, &ut), 0);
    import_stage_sweep(t->db, t->path);
    assert_int_equal(access(path, F_OK), 0);
    /* 25 hours old: expired */
    ut.actime = ut.modtime = time(NULL) - 25 * 3600;
    assert_int_equal(utime(path, &ut), 0);
    import_stage_sweep(t->db, t->path);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    assert_int_equal(apitest_request(t, "GET", url, NULL, NULL, &r), 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "cancelled");
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "error"), "message"),
        "校验后 24 小时内未导入，上传的文件已删除；如需导入请重新上传");
    apiresp_release(&r);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'import.expire'"),
                     1);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"valid\"}"),
                     409);
}

static void test_conflicts_and_lists(void **state)
{
    ApiTest *t = *state;
    char a[USCC_LEN + 1], url[96];
    Buf body;
    ApiResp r;
    int64_t id, cid;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(1, a);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/enterprises",
                                    "{\"uscc\":\"91120102MA0000001T\",\"name\":"
                                    "\"天津甲科技有限公司\",\"unit_id\":1,"
                                    "\"address\":\"用户地址\"}"),
                     201);
    buf_init(&body, 1 << 16);
    buf_appendf(&body,
                "统一社会信用代码,年度,职工总数（人）,销售收入（万元）\n"
                "%s,2024,20,1234.5\n",
                a);
    id = upload(t, "figures", body.data, &r);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);

    /* the district-wide list has the template's columns */
    apitest_request(t, "GET", "/api/v1/enterprise-years?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(r.body, "统一社会信用代码,企业名称,年度,职工总数（人）"));
    assert_non_null(strstr(r.body, "天津甲科技有限公司,2024,20,,,1234.5,"));
    apiresp_release(&r);
    /* the XLSX list has number cells and imports back unchanged */
    apitest_request(t, "GET", "/api/v1/enterprise-years?format=xlsx", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    {
        char path[200];
        ImportReport rep;
        ImportOpts o;
        Actor sys;
        Err e;
        FILE *fp;
        snprintf(path, sizeof path, "%s/years.xlsx", t->dir);
        fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(r.body, 1, r.body_len, fp), r.body_len);
        fclose(fp);
        memset(&o, 0, sizeof o);
        actor_init_system(&sys);
        import_report_init(&rep, columns_kind(XK_FIGURES));
        assert_int_equal(import_file(t->db, &sys, columns_kind(XK_FIGURES),
                                     path, &o, &rep, &e),
                         0);
        assert_int_equal(rep.n_errors, 0);
        assert_int_equal(rep.rows, 1);
        assert_int_equal(rep.skipped, 1); /* 未变 */
        import_report_free(&rep);
    }
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/enterprise-years", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "sales_revenue"),
        "1234.5");
    apiresp_release(&r);

    /* an enterprise import against the user-entered address: conflict */
    buf_reset(&body);
    buf_appendf(&body, "统一社会信用代码,地址\n%s,导入地址\n", a);
    id = upload(t, "enterprises", body.data, &r);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "conflicts"), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises WHERE address "
                              "= '用户地址'"),
                     1);
    apitest_request(t, "GET", "/api/v1/import-conflicts?status=open", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    cid =
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0), "id");
    assert_string_equal(
        apitest_jstr(
            json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
                            "incoming"),
            "value"),
        "导入地址");
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/import-conflicts?format=csv", NULL, NULL,
                    &r);
    assert_non_null(strstr(r.body, "用户地址,用户填报,否,导入地址,待处理"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/import-conflicts/%lld/resolve",
             (long long)cid);
    assert_int_equal(
        apitest_status(t, "POST", url, "{\"resolution\":\"incoming\"}"), 204);
    assert_int_equal(
        apitest_status(t, "POST", url, "{\"resolution\":\"incoming\"}"), 409);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises WHERE address "
                              "= '导入地址'"),
                     1);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM field_provenance WHERE "
                              "field = 'address' AND src_kind = 'import'"),
                     1);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'import.conflict.resolve'"),
                     1);
    buf_release(&body);
}

/* A GBK file sent as if it were UTF-8 is still read as GBK. */
/* Declarations through the API: the template, an upload validated and
 * applied, the district-wide list in the template's columns, and a value
 * an enterprise user declared through the API is a conflict, not
 * overwritten. */
static void test_declarations(void **state)
{
    ApiTest *t = *state;
    char a[USCC_LEN + 1], url[96];
    Buf body;
    ApiResp r;
    json_t *err0;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET",
                    "/api/v1/imports/declarations/template?format=csv", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "统一社会信用代码,企业名称,申报事项,年度,"
                                   "申报值,有效期起,有效期止,备注"));
    apiresp_release(&r);

    apitest_uscc(1, a);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/enterprises",
                                    "{\"uscc\":\"91120102MA0000001T\",\"name\":"
                                    "\"天津甲科技有限公司\",\"unit_id\":1}"),
                     201);
    assert_int_equal(
        apitest_status(t, "PUT", "/api/v1/enterprises/1/declarations",
                       "{\"items\":[{\"field\":\"accounting_sound\","
                       "\"value\":true}]}"),
        200);
    buf_init(&body, 1 << 16);
    buf_appendf(&body,
                "统一社会信用代码,申报事项,年度,申报值\n"
                "%s,科技成果转化项数,,2\n",
                a);
    id = upload(t, "declarations", body.data, &r);
    err0 = json_array_get(json_object_get(r.json, "errors"), 0);
    assert_int_equal(apitest_jint(err0, "row"), 2);
    assert_string_equal(apitest_jstr(err0, "column"), "年度");
    assert_string_equal(apitest_jstr(err0, "field"), "year");
    assert_string_equal(apitest_jstr(err0, "message"),
                        "科技成果转化项数是年度数据，须填写年度");
    apiresp_release(&r);

    buf_reset(&body);
    buf_appendf(&body,
                "统一社会信用代码,申报事项,年度,申报值\n"
                "%s,科技成果转化项数,2024,2\n"
                "%s,产品或服务属于禁止、限制和淘汰类,,否\n"
                "%s,会计核算健全、能准确归集研发费用,,否\n",
                a, a, a);
    id = upload(t, "declarations", body.data, &r);
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "valid"),
                     3);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "conflicts"), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprise_declarations "
                              "WHERE src_kind = 'import'"),
                     2);
    /* the declared 是 stays until the conflict is resolved */
    assert_int_equal(count(t, "SELECT value FROM enterprise_declarations "
                              "WHERE field = 'accounting_sound'"),
                     1);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM import_conflicts WHERE "
                              "kind = 'declarations'"),
                     1);
    /* the conflict shows both values as the template writes them; taking
     * the incoming one writes 否 */
    apitest_request(t, "GET", "/api/v1/import-conflicts?format=csv", NULL, NULL,
                    &r);
    assert_non_null(strstr(r.body, ",是,用户填报,否,否,待处理"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/import-conflicts?status=open", NULL,
                    NULL, &r);
    id =
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0), "id");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/import-conflicts/%lld/resolve",
             (long long)id);
    assert_int_equal(
        apitest_status(t, "POST", url, "{\"resolution\":\"incoming\"}"), 204);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprise_declarations "
                              "WHERE field = 'accounting_sound' AND value = 0 "
                              "AND src_kind = 'import'"),
                     1);

    apitest_request(t, "GET", "/api/v1/enterprise-declarations?format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(r.body, "天津甲科技有限公司,科技成果转化项数,2024,2,"));
    assert_non_null(strstr(
        r.body, "天津甲科技有限公司,产品或服务属于禁止、限制和淘汰类,,否,"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/enterprise-declarations", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    apiresp_release(&r);
    buf_release(&body);
}

static void test_gbk_declared_utf8(void **state)
{
    static const char *const hdr[] = {"X-File-Name", "utf8.csv", "Content-Type",
                                      "text/csv; charset=utf-8", NULL};
    ApiTest *t = *state;
    char buf[4096];
    char url[96];
    size_t n;
    ApiResp r;
    FILE *f;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f = fopen("tests/data/import/ent_gbk.csv", "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_int_equal(
        apitest_request(t, "POST", "/api/v1/imports/enterprises?dry_run=false",
                        buf, hdr, &r),
        202);
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "done");
    assert_string_equal(apitest_jstr(r.json, "encoding"), "GB18030");
    apiresp_release(&r);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises WHERE name = "
                              "'天津鑫淼科技有限公司'"),
                     1);
}

/* A 街道 agent imports only within the street. */
static void test_scope(void **state)
{
    ApiTest *t = *state;
    int64_t a_unit =
        apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    int64_t b_unit =
        apitest_add_unit(t, t->root_id, "大直沽街道", "subdistrict");
    char a[USCC_LEN + 1], b[USCC_LEN + 1], body[1024], url[96];
    ApiResp r;
    json_t *errs;
    int64_t id;

    apitest_add_user(t, "agent1", "Agt-2468-kc", ROLE_AGENT, a_unit);
    apitest_uscc(1, a);
    apitest_uscc(2, b);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(body, sizeof body,
             "统一社会信用代码,企业名称,所属单位\n%s,甲公司,大直沽街道\n", b);
    id = upload(t, "enterprises", body, &r);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), 1);
    (void)b_unit;

    assert_int_equal(apitest_login(t, "agent1", "Agt-2468-kc"), 200);
    /* the admin's import is not visible to the agent */
    snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    snprintf(body, sizeof body,
             "统一社会信用代码,企业名称,所属单位\n%s,乙公司,\n%s,甲公司,\n"
             "%s,丙公司,大直沽街道\n",
             a, b, "91120102MA00000031");
    upload(t, "enterprises", body, &r);
    errs = json_object_get(r.json, "errors");
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "valid"),
                     1);
    assert_string_equal(apitest_jstr(json_array_get(errs, 0), "message"),
                        "统一社会信用代码 91120102MA0000002X "
                        "已登记在您管辖范围以外的单位，不能修改");
    assert_string_equal(apitest_jstr(json_array_get(errs, 1), "message"),
                        "单位“大直沽街道”不存在或不在您的管辖范围内");
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "统一社会信用代码,年度,职工总数（人）\n%s,2024,5\n", b);
    upload(t, "figures", body, &r);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "errors"), 0),
                     "message"),
        "统一社会信用代码 91120102MA0000002X 的企业不在企业库中");
    apiresp_release(&r);
}

/* The report splits new rows from updates and unchanged rows; new
 * enterprises with a blank 所属单位 under a unit with child units are a
 * warning, and the apply needs confirm_blank_unit (409 with the message
 * without it). A blank 所属单位 on an update keeps the enterprise's unit. */
static void test_split_and_blank_unit(void **state)
{
    ApiTest *t = *state;
    int64_t street =
        apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    char e1[USCC_LEN + 1], e2[USCC_LEN + 1], n1[USCC_LEN + 1], n2[USCC_LEN + 1],
        body[2048], url[96], sql[256];
    ApiResp r;
    json_t *sum, *w;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(11, e1);
    apitest_uscc(12, e2);
    apitest_uscc(13, n1);
    apitest_uscc(14, n2);
    snprintf(body, sizeof body,
             "统一社会信用代码,企业名称,所属单位\n%s,甲公司,大王庄街道\n"
             "%s,乙公司,大王庄街道\n",
             e1, e2);
    id = upload(t, "enterprises", body, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "warnings")), 0);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);

    /* e1 renamed with a blank unit (update), e2 unchanged, n1 new with a
     * blank unit, n2 new with a unit */
    snprintf(body, sizeof body,
             "统一社会信用代码,企业名称,所属单位\n%s,甲公司改名,\n"
             "%s,乙公司,大王庄街道\n%s,丙公司,\n%s,丁公司,大王庄街道\n",
             e1, e2, n1, n2);
    id = upload(t, "enterprises", body, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "validated");
    sum = json_object_get(r.json, "summary");
    assert_int_equal(apitest_jint(sum, "inserted"), 2);
    assert_int_equal(apitest_jint(sum, "updated"), 1);
    assert_int_equal(apitest_jint(sum, "unchanged"), 1);
    w = json_array_get(json_object_get(r.json, "warnings"), 0);
    assert_non_null(w);
    assert_string_equal(apitest_jstr(w, "code"), "blank_unit");
    assert_int_equal(apitest_jint(w, "rows"), 1);
    assert_string_equal(apitest_jstr(w, "unit"), "测试区");
    assert_string_equal(apitest_jstr(w, "message"),
                        "1 家新企业的所属单位为空，将登记在“测试区”（区级），"
                        "各街道看不到；请填写所属单位，或确认后导入");
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    apitest_request(t, "POST", url, "{\"mode\":\"all\"}", NULL, &r);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "1 家新企业的所属单位为空"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "POST", url,
                                    "{\"mode\":\"all\",\"confirm_blank_unit\":"
                                    "\"yes\"}"),
                     400);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), 2);
    assert_int_equal(apitest_status(t, "POST", url,
                                    "{\"mode\":\"all\",\"confirm_blank_unit\":"
                                    "true}"),
                     202);
    job_wait_all(0);
    assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), 4);
    snprintf(sql, sizeof sql,
             "SELECT unit_id FROM enterprises WHERE uscc = '%s'", n1);
    assert_int_equal(count(t, sql), t->root_id);
    snprintf(sql, sizeof sql,
             "SELECT unit_id FROM enterprises WHERE uscc = '%s'", e1);
    assert_int_equal(count(t, sql), street);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM enterprises WHERE uscc = '%s' AND name = "
             "'甲公司改名'",
             e1);
    assert_int_equal(count(t, sql), 1);

    /* a street's user: new enterprises without 所属单位 go to the street,
     * which has no units below it: no warning */
    apitest_add_user(t, "agent1", "Agt-2468-kc", ROLE_AGENT, street);
    assert_int_equal(apitest_login(t, "agent1", "Agt-2468-kc"), 200);
    apitest_uscc(15, n1);
    snprintf(body, sizeof body,
             "统一社会信用代码,企业名称,所属单位\n%s,戊公司,\n", n1);
    id = upload(t, "enterprises", body, &r);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "inserted"), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "warnings")), 0);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"all\"}"), 202);
    job_wait_all(0);
    snprintf(sql, sizeof sql,
             "SELECT unit_id FROM enterprises WHERE uscc = '%s'", n1);
    assert_int_equal(count(t, sql), street);

    /* an upload that writes at once (dry_run=false) asks too: without
     * confirm_blank_unit the job ends refused with the warning and writes
     * nothing; with it the rows are written */
    {
        static const char *const hdr[] = {"X-File-Name", "a.csv", NULL};
        int64_t before;

        assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD),
                         200);
        apitest_uscc(16, n2);
        snprintf(body, sizeof body,
                 "统一社会信用代码,企业名称,所属单位\n%s,己公司,\n", n2);
        before = count(t, "SELECT COUNT(*) FROM enterprises");
        assert_int_equal(
            apitest_request(t, "POST",
                            "/api/v1/imports/enterprises?dry_run=false", body,
                            hdr, &r),
            202);
        id = apitest_jint(r.json, "id");
        apiresp_release(&r);
        job_wait_all(0);
        snprintf(url, sizeof url, "/api/v1/imports/%lld", (long long)id);
        assert_int_equal(apitest_request(t, "GET", url, NULL, NULL, &r), 200);
        assert_string_equal(apitest_jstr(r.json, "status"), "failed");
        assert_non_null(strstr(r.body, "1 家新企业的所属单位为空"));
        apiresp_release(&r);
        assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"), before);
        assert_int_equal(
            apitest_status(t, "POST",
                           "/api/v1/imports/"
                           "enterprises?dry_run=false&confirm_blank_unit=maybe",
                           body),
            400);
        assert_int_equal(
            apitest_request(t, "POST",
                            "/api/v1/imports/"
                            "enterprises?dry_run=false&confirm_blank_unit=true",
                            body, hdr, &r),
            202);
        apiresp_release(&r);
        job_wait_all(0);
        assert_int_equal(count(t, "SELECT COUNT(*) FROM enterprises"),
                         before + 1);
    }
}

/* The rows with errors as uploaded, with a last column 错误说明 naming
 * each column, while the upload is kept; 409 once it is imported. */
static void test_error_rows(void **state)
{
    ApiTest *t = *state;
    char a[USCC_LEN + 1], b[USCC_LEN + 1], c[USCC_LEN + 1], body[2048], url[96];
    ApiResp r;
    int64_t id;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(21, a);
    apitest_uscc(22, b);
    apitest_uscc(23, c);
    snprintf(body, sizeof body,
             "填报单位：测试\n统一社会信用代码,企业名称,成立日期,备用列\n"
             "%s,甲公司,2019-05-20,x\n%s,,2021/2/30,\"y,z\"\n"
             "%s,丙公司,2020-01-01,w\n%.17sA,丁公司,2020-01-02,\n",
             a, b, c, c);
    id = upload(t, "enterprises", body, &r);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "invalid"), 2);
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/imports/%lld/error-rows?format=csv",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(
        r.body,
        "\xEF\xBB\xBF统一社会信用代码,企业名称,成立日期,备用列,错误说明\r\n",
        strlen("\xEF\xBB\xBF统一社会信用代码,企业名称,成立日期,备用列,"
               "错误说明\r\n"));
    {
        char want[512];
        snprintf(want, sizeof want,
                 "%s,,2021/2/30,\"y,z\",「成立日期」：2021年2月没有30日；"
                 "「企业名称」：新增企业时必填\r\n",
                 b);
        if (!strstr(r.body, want)) {
            fprintf(stderr, "body: %s\nwant: %s\n", r.body, want);
        }
        assert_non_null(strstr(r.body, want));
    }
    assert_null(strstr(r.body, "甲公司"));
    assert_null(strstr(r.body, "丙公司"));
    assert_non_null(strstr(r.body, "丁公司"));
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/imports/%lld/error-rows?format=xlsx",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/error-rows?format=pdf",
             (long long)id);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 400);

    /* imported: the upload is gone */
    snprintf(url, sizeof url, "/api/v1/imports/%lld/apply", (long long)id);
    assert_int_equal(apitest_status(t, "POST", url, "{\"mode\":\"valid\"}"),
                     202);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/imports/%lld/error-rows", (long long)id);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 409);
    assert_int_equal(
        apitest_status(t, "GET", "/api/v1/imports/999999/error-rows", NULL),
        404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_template, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declarations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_running_import_per_user, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_upload_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicts_and_lists, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gbk_declared_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_and_blank_unit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_error_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
