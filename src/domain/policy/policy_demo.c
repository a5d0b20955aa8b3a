/* policy_demo.c - a year of policy work for the demo district: budgets
 * for every line, 高企 recognitions of the year in the qualifications
 * register (only when the register holds none for that year), the
 * 免申即享 list of 首次认定奖励 confirmed, public notice, payment; applications
 * for 科技创新券 and 研发费用后补助 through both reviews (some rejected),
 * notice, payment and one claw-back. Everything goes through the same domain
 * functions (and audit) as the API. */
#include "domain/policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"

#define DEMO_APPS_MAX 40

static int64_t item_by_code(Db *db, const char *code)
{
    int64_t id = 0;
    Err e;

    err_clear(&e);
    db_query_int64(db, &id, &e, "SELECT id FROM policy_items WHERE code = $1",
                   "t", code);
    return id;
}

/* Enterprises holding a 高企 certificate declaration valid in year (first
 * n by id). */
static int hnte_holders(Db *db, int year, int64_t *ids, int cap, int *n, Err *e)
{
    DbStmt *st = NULL;
    char d[DATE_ISO_SIZE];
    int rc;

    *n = 0;
    snprintf(d, sizeof d, "%04d-06-30", year);
    rc = db_prepare_v(db, &st, e,
                      "SELECT enterprise_id FROM enterprise_declarations "
                      "WHERE field = 'hnte_cert' AND value = 1 AND "
                      "(valid_from IS NULL OR valid_from <= $1) AND "
                      "(valid_to IS NULL OR valid_to >= $1) ORDER BY "
                      "enterprise_id",
                      "t", d);
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW && *n < cap) {
        ids[(*n)++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    return rc == DB_ROW || rc == DB_DONE ? 0 : rc;
}

static int add_quals(Db *db, const Actor *a, int year, const int64_t *ids,
                     int n, Err *e)
{
    static const char *const basis[] = {"first", "first",   "recert",
                                        "first", "move_in", "recert"};
    char now[32], on[16], to[16];
    int64_t have = 0;
    int rc;

    rc = db_query_int64(db, &have, e,
                        "SELECT count(*) FROM qualifications WHERE kind = "
                        "'hnte' AND year = $1",
                        "i", (int64_t)year);
    if (rc || have > 0) {
        return rc;
    }
    clock_now_iso(now, 0);
    snprintf(on, sizeof on, "%04d-03-15", year);
    snprintf(to, sizeof to, "%04d-03-14", (year + 3) % 10000);
    rc = db_begin(db, e);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = db_exec_v(db, e,
                       "INSERT INTO qualifications (enterprise_id, kind, "
                       "level, year, issued_on, valid_from, valid_to, basis, "
                       "note, src_kind, src_user_id, src_at, created_at, "
                       "updated_at) VALUES ($1, 'hnte', '国家', $2, $3, $3, "
                       "$4, $5, '演示数据', 'demo', $6, $7, $7, $7)",
                       "iitttit", ids[i], (int64_t)year, on, to, basis[i % 6],
                       a->user_id, now);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

static int budget(Db *db, const Actor *a, const char *line, int year,
                  const char *wan, Err *e)
{
    json_t *b = json_pack("{s:s,s:i,s:s}", "line", line, "year", year,
                          "amount_wan", wan);
    int rc = policy_budget_put(db, a, b, e);

    json_decref(b);
    return rc;
}

/* A notice over app ids, then (when paid_on is set) one batch paying
 * each in full. */
static int notice_and_pay(Db *db, const Actor *a, const char *title, int year,
                          const int64_t *apps, int n, const char *voucher,
                          int64_t *notice_id, Err *e)
{
    json_t *ids = json_array(), *body, *rows = json_array();
    char start[DATE_ISO_SIZE], end[DATE_ISO_SIZE], paid[DATE_ISO_SIZE];
    int64_t total = 0, bid = 0;
    int rc;

    snprintf(start, sizeof start, "%04d-06-01", year);
    snprintf(end, sizeof end, "%04d-06-07", year);
    snprintf(paid, sizeof paid, "%04d-06-20", year);
    for (int i = 0; i < n; i++) {
        json_array_append_new(ids, json_integer(apps[i]));
    }
    body = json_pack("{s:s,s:s,s:s,s:s,s:o}", "title", title, "start_on", start,
                     "end_on", end, "contact",
                     "区科技局政策兑现科（电话 022-12345678）",
                     "application_ids", ids);
    rc = policy_notice_create(db, a, body, notice_id, e);
    json_decref(body);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        json_t *app = NULL;
        char w[48];
        int64_t amt;

        rc = policy_app_get(db, a, apps[i], &app, e);
        if (rc) {
            json_decref(rows);
            return rc;
        }
        amt = json_integer_value(json_object_get(app, "amount"));
        snprintf(w, sizeof w, "%lld.%04lld", (long long)(amt / 10000),
                 (long long)(amt % 10000));
        json_array_append_new(rows,
                              json_pack("{s:I,s:s}", "application_id",
                                        (json_int_t)apps[i], "amount_wan", w));
        total += amt;
        json_decref(app);
    }
    {
        char w[48], t[200];

        snprintf(w, sizeof w, "%lld.%04lld", (long long)(total / 10000),
                 (long long)(total % 10000));
        snprintf(t, sizeof t, "%s（拨付）", title);
        body = json_pack("{s:s,s:s,s:s,s:s,s:o}", "title", t, "paid_on", paid,
                         "voucher_no", voucher, "total_wan", w, "rows", rows);
    }
    rc = policy_batch_create(db, a, body, &bid, e);
    json_decref(body);
    return rc;
}

int policy_demo(Db *db, const Actor *a, int year, Err *e)
{
    int64_t holders[200], apps[DEMO_APPS_MAX], notice = 0;
    int64_t first = item_by_code(db, "hnte-first");
    int64_t voucher = item_by_code(db, "innovation-voucher");
    int64_t rd = item_by_code(db, "rd-subsidy");
    json_t *list = NULL, *ids, *r;
    int n_holders = 0, n_apps = 0, rc;
    size_t i;
    char title[200];

    if (!first || !voucher || !rd) {
        return 0; /* the pool was changed: nothing to show */
    }
    if ((rc = budget(db, a, "高企认定奖励", year, "2000", e)) ||
        (rc = budget(db, a, "入库培育奖励", year, "500", e)) ||
        (rc = budget(db, a, "上市扶持", year, "3000", e)) ||
        (rc = budget(db, a, "科技创新券", year, "300", e)) ||
        (rc = budget(db, a, "研发后补助", year, "2000", e))) {
        return rc;
    }
    rc = hnte_holders(db, year, holders, 200, &n_holders, e);
    if (rc == 0) {
        rc =
            add_quals(db, a, year, holders, n_holders < 24 ? n_holders : 24, e);
    }
    if (rc) {
        return rc;
    }
    /* 免申即享: 首次认定奖励, confirmed, noticed and paid */
    rc = policy_entitled(db, a, first, year, &list, e);
    if (rc) {
        return rc;
    }
    ids = json_array();
    json_array_foreach(list, i, r)
    {
        if (json_array_size(ids) < 10) {
            json_array_append(ids, json_object_get(r, "enterprise_id"));
        }
    }
    json_decref(list);
    if (json_array_size(ids) > 0) {
        int64_t n = 0;
        DbStmt *st = NULL;

        rc = policy_entitled_confirm(db, a, first, year, ids, &n, e);
        if (rc == 0) {
            rc = db_prepare_v(db, &st, e,
                              "SELECT id FROM policy_applications WHERE "
                              "item_id = $1 AND year = $2 ORDER BY id",
                              "ii", first, (int64_t)year);
        }
        n_apps = 0;
        while (rc == 0 && db_step(st, e) == DB_ROW && n_apps < DEMO_APPS_MAX) {
            apps[n_apps++] = db_col_int64(st, 0);
        }
        db_finalize(st);
        snprintf(title, sizeof title,
                 "%d年高新技术企业首次认定奖励（免申即享）拟兑现名单公示",
                 year);
        if (rc == 0 && n_apps > 0) {
            rc = notice_and_pay(db, a, title, year, apps, n_apps, "KJJ-ZF-0001",
                                &notice, e);
        }
    }
    json_decref(ids);
    if (rc) {
        return rc;
    }
    /* applications: 科技创新券 for holders, 研发费用后补助 where qualified */
    n_apps = 0;
    for (int k = 0; k < n_holders && k < 30; k++) {
        json_t *body;
        int64_t id = 0;
        char claimed[16];
        Err e2;
        int64_t item = k % 2 ? rd : voucher;

        err_clear(&e2);
        snprintf(claimed, sizeof claimed, "%d", 6 + (k * 7) % 30);
        body = json_pack("{s:I,s:I,s:i,s:s}", "item_id", (json_int_t)item,
                         "enterprise_id", (json_int_t)holders[k], "year", year,
                         "note", "演示数据：经办人代企业申请");
        if (item == voucher) {
            json_object_set_new(body, "claimed_wan", json_string(claimed));
            json_object_set_new(
                body, "attachments",
                json_pack("[s,s]", "科技服务合同.pdf", "发票.pdf"));
        } else {
            PolicyItem it;

            memset(&it, 0, sizeof it);
            if (policy_item_load(db, item, &it, &e2) == 0 &&
                it.window_from[0]) {
                json_object_set_new(body, "applied_on",
                                    json_string(it.window_from));
            }
            policy_item_release(&it);
        }
        /* not qualified, windows and duplicates are refused as in the
         * API: such enterprises are simply skipped */
        if (policy_app_create(db, a, body, &id, &e2) == 0) {
            const char *st = k % 7 == 3 ? "reject" : "approve";

            rc = policy_app_review(
                db, a, id, "street", st,
                k % 7 == 3 ? "材料不全，已告知企业补正" : "材料齐全", e);
            if (rc == 0 && k % 7 != 3 && k % 5 != 4) {
                rc = policy_app_review(db, a, id, "bureau", "approve",
                                       "复审通过", e);
                if (rc == 0 && n_apps < DEMO_APPS_MAX) {
                    apps[n_apps++] = id;
                }
            }
            if (rc) {
                json_decref(body);
                return rc;
            }
        }
        json_decref(body);
    }
    if (n_apps > 0) {
        snprintf(title, sizeof title,
                 "%d年科技创新券及研发费用后补助拟兑现名单公示", year);
        rc = notice_and_pay(db, a, title, year, apps, n_apps, "KJJ-ZF-0002",
                            &notice, e);
        if (rc == 0) {
            json_t *cb = json_pack("{s:s,s:s}", "amount_wan", "1", "reason",
                                   "演示数据：发票金额核减，追回多拨部分");

            rc = policy_app_clawback(db, a, apps[0], cb, e);
            json_decref(cb);
        }
    }
    return rc;
}
