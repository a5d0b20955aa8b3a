/* policy_flow.c - applications (初审, 复审), public notices with
 * objections, payment batches, claw-backs and budgets (see policy.h).
 * Every write is one transaction with its audit entries; payments are
 * never updated in place. */
#include "domain/policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/money.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/accounts/scope.h"

static const char *status_name(const char *s)
{
    const char *n = labels_policy_app_status(s);

    return n ? n : s ? s : "";
}

static void wan(int64_t yuan, char *out, size_t cap)
{
    Buf b;
    char *s;

    buf_init(&b, 64);
    money_format_wan(yuan, &b);
    s = buf_detach(&b, NULL);
    snprintf(out, cap, "%s", s ? s : "");
    free(s);
}

/* Bureau work (复审, notices, payments, 免申即享 confirmation) is not for
 * street agents or departments. */
static int bureau_only(const Actor *a, Err *e)
{
    if (a->role == ROLE_AGENT || a->role == ROLE_DEPT ||
        a->role == ROLE_LEADER) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "此操作由区科技局业务人员办理（复审、公示、拨付）");
    }
    return 0;
}

static int opt_str(json_t *body, const char *k, int required, size_t max,
                   const char **out, Err *e)
{
    json_t *v = json_object_get(body, k);

    *out = NULL;
    if (!v || json_is_null(v) ||
        (json_is_string(v) && json_string_length(v) == 0)) {
        if (required) {
            return err_set(e, ERR_INVALID, k, "请填写%s", k);
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) > max) {
        return err_set(e, ERR_INVALID, k, "%s应为不超过 %zu 字节的文本", k,
                       max);
    }
    *out = json_string_value(v);
    return 0;
}

static int opt_date(json_t *body, const char *k, int required, const char **out,
                    Err *e)
{
    Date d;
    int rc = opt_str(body, k, required, 10, out, e);

    if (rc == 0 && *out) {
        rc = date_parse(*out, &d, k, e);
    }
    return rc;
}

/* A positive 万元 amount (text or integer 万元) into 元. */
static int req_wan(json_t *body, const char *k, int required, int64_t *out,
                   int *present, Err *e)
{
    json_t *v = json_object_get(body, k);

    *out = 0;
    if (present) {
        *present = 0;
    }
    if (!v || json_is_null(v)) {
        return required ? err_set(e, ERR_INVALID, k, "请填写金额（万元）") : 0;
    }
    if (present) {
        *present = 1;
    }
    if (json_is_integer(v)) {
        if (json_integer_value(v) <= 0 ||
            json_integer_value(v) > INT64_MAX / 10000) {
            return err_set(e, ERR_INVALID, k, "金额应大于 0");
        }
        *out = json_integer_value(v) * 10000;
        return 0;
    }
    if (!json_is_string(v)) {
        return err_set(e, ERR_INVALID, k, "金额应为万元数（最多四位小数）");
    }
    if (money_parse_wan(json_string_value(v), out, 0, k, e)) {
        return ERR_INVALID;
    }
    if (*out <= 0) {
        return err_set(e, ERR_INVALID, k, "金额应大于 0");
    }
    return 0;
}

static int check_fields(json_t *body, const char *const *known, Err *e)
{
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        return err_set(e, ERR_INVALID, NULL, "请求体必须是 JSON 对象");
    }
    json_object_foreach(body, key, v)
    {
        int ok = 0;

        for (int i = 0; known[i]; i++) {
            ok |= strcmp(known[i], key) == 0;
        }
        if (!ok) {
            return err_set(e, ERR_INVALID, key, "未知字段：%s", key);
        }
    }
    return 0;
}

/* ---- applications ---- */

#define APP_SELECT                                                             \
    "SELECT a.id, a.item_id, i.title, i.code, a.enterprise_id, e.name, "       \
    "e.uscc, o.name, a.year, a.channel, a.status, a.amount, coalesce((SELECT " \
    "sum(p.amount) FROM policy_payments p WHERE p.application_id = a.id), "    \
    "0), a.claimed, a.basis, a.applied_on, a.attachments, a.note, "            \
    "a.street_note, a.street_at, a.bureau_note, a.bureau_at, a.notice_id, "    \
    "a.reject_reason, a.created_at, a.updated_at, o.path, i.budget_line, "     \
    "(SELECT count(*) FROM policy_objections j WHERE j.application_id = a.id " \
    "AND j.resolved_on IS NULL) "                                              \
    "FROM policy_applications a JOIN policy_items i ON i.id = a.item_id JOIN " \
    "enterprises e ON e.id = a.enterprise_id JOIN org_units o ON o.id = "      \
    "e.unit_id "

static json_t *app_row_json(DbStmt *st)
{
    json_t *o = json_object();
    const char *att = db_col_text(st, 16);
    char w[48];

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "item_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "item_title", json_string(db_col_text(st, 2)));
    json_object_set_new(o, "item_code", json_string(db_col_text(st, 3)));
    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 4)));
    json_object_set_new(o, "enterprise_name", json_string(db_col_text(st, 5)));
    json_object_set_new(o, "uscc", json_string(db_col_text(st, 6)));
    json_object_set_new(o, "unit_name", json_string(db_col_text(st, 7)));
    json_object_set_new(o, "year", json_integer(db_col_int64(st, 8)));
    json_object_set_new(o, "channel", json_string(db_col_text(st, 9)));
    json_object_set_new(o, "channel_name",
                        json_string(strcmp(db_col_text(st, 9), "entitled") == 0
                                        ? "免申即享"
                                        : "申请"));
    json_object_set_new(o, "status", json_string(db_col_text(st, 10)));
    json_object_set_new(o, "status_name",
                        json_string(status_name(db_col_text(st, 10))));
    json_object_set_new(o, "amount", json_integer(db_col_int64(st, 11)));
    wan(db_col_int64(st, 11), w, sizeof w);
    json_object_set_new(o, "amount_wan", json_string(w));
    json_object_set_new(o, "paid", json_integer(db_col_int64(st, 12)));
    wan(db_col_int64(st, 12), w, sizeof w);
    json_object_set_new(o, "paid_wan", json_string(w));
    json_object_set_new(o, "claimed",
                        db_col_is_null(st, 13)
                            ? json_null()
                            : json_integer(db_col_int64(st, 13)));
    for (int c = 14; c <= 25; c++) {
        static const char *const k[] = {
            "basis",       "applied_on",    NULL,          "note",
            "street_note", "street_at",     "bureau_note", "bureau_at",
            NULL,          "reject_reason", "created_at",  "updated_at"};
        const char *s = db_col_text(st, c);

        if (k[c - 14]) {
            json_object_set_new(o, k[c - 14], s ? json_string(s) : json_null());
        }
    }
    json_object_set_new(o, "attachments",
                        att ? json_loads(att, 0, NULL) : json_array());
    if (!json_object_get(o, "attachments")) {
        json_object_set_new(o, "attachments", json_array());
    }
    json_object_set_new(o, "notice_id",
                        db_col_is_null(st, 22)
                            ? json_null()
                            : json_integer(db_col_int64(st, 22)));
    json_object_set_new(
        o, "budget_line",
        json_string(db_col_text(st, 27) ? db_col_text(st, 27) : ""));
    json_object_set_new(o, "open_objections",
                        json_integer(db_col_int64(st, 28)));
    return o;
}

/* Application id as JSON, with its unit path (for scope and audit). */
static int app_load(Db *db, const Actor *a, int64_t id, json_t **out,
                    char *path, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, APP_SELECT "WHERE a.id = $1", "i", id);
    if (rc) {
        return rc;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW && actor_sees_path(a, db_col_text(st, 26))) {
        *out = app_row_json(st);
        if (path) {
            snprintf(path, cap, "%s", db_col_text(st, 26));
        }
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "申请不存在");
    }
    db_finalize(st);
    return rc;
}

int policy_app_attach_scope(Db *db, const Actor *a, int64_t id, int write,
                            char path[ACTOR_PATH_MAX], Err *e)
{
    json_t *app = NULL;
    const char *status;
    int rc;

    path[0] = '\0';
    rc = app_load(db, a, id, &app, path, ACTOR_PATH_MAX, e);
    if (rc) {
        return rc;
    }
    status = json_string_value(json_object_get(app, "status"));
    if (write && status && strcmp(status, "submitted") != 0 &&
        strcmp(status, "street_ok") != 0) {
        rc = err_set(e, ERR_CONFLICT, "owner_id", "申请已复审，附件不能再增删");
    }
    json_decref(app);
    return rc;
}

int policy_app_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *pays;
    int rc;

    rc = app_load(db, a, id, out, NULL, 0, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, batch_id, kind, amount, paid_on, voucher_no, "
                      "reason, created_at FROM policy_payments WHERE "
                      "application_id = $1 ORDER BY id",
                      "i", id);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    pays = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            pays,
            json_pack("{s:I,s:o,s:s,s:I,s:s,s:s?,s:s?,s:s}", "id",
                      (json_int_t)db_col_int64(st, 0), "batch_id",
                      db_col_is_null(st, 1) ? json_null()
                                            : json_integer(db_col_int64(st, 1)),
                      "kind", db_col_text(st, 2), "amount",
                      (json_int_t)db_col_int64(st, 3), "paid_on",
                      db_col_text(st, 4), "voucher_no", db_col_text(st, 5),
                      "reason", db_col_text(st, 6), "created_at",
                      db_col_text(st, 7)));
    }
    db_finalize(st);
    json_object_set_new(*out, "payments", pays);
    return rc == DB_DONE ? 0 : rc;
}

int policy_app_list(Db *db, const Actor *a, const PolicyAppFilter *f,
                    json_t **items, Err *e)
{
    DbStmt *st = NULL;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc = db_prepare_v(
        db, &st, e,
        APP_SELECT
        "WHERE o.path LIKE $1 AND (CAST($2 AS TEXT) IS NULL OR a.status = $2) "
        "AND ($3 = 0 OR a.item_id = $3) AND ($4 = 0 OR a.year = "
        "$4) AND ($5 = 0 OR a.enterprise_id = $5) AND ($6 = 0 OR "
        "a.notice_id = $6) ORDER BY a.id DESC",
        "ttiiii", like, f->status && *f->status ? f->status : NULL, f->item_id,
        f->year, f->enterprise_id, f->notice_id);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (json_array_size(*items) >= POLICY_EXPORT_MAX) {
            rc = err_set(e, ERR_TOOBIG, NULL, "结果超过 %d 条，请加筛选条件",
                         POLICY_EXPORT_MAX);
            break;
        }
        json_array_append_new(*items, app_row_json(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return rc;
    }
    return 0;
}

int policy_app_create(Db *db, const Actor *a, json_t *body, int64_t *id, Err *e)
{
    static const char *const known[] = {
        "item_id",    "enterprise_id", "year", "claimed_wan", "amount_wan",
        "applied_on", "attachments",   "note", NULL};
    PolicyItem it;
    json_t *match = NULL, *row = NULL, *r, *att, *after = NULL, *before = NULL;
    const char *applied_on = NULL, *note = NULL;
    char today[DATE_ISO_SIZE], now[32], path[ACTOR_PATH_MAX], basis[384];
    int64_t item_id, ent_id, year, claimed = 0, amount = 0, calc = 0;
    int has_claimed = 0, has_amount = 0, known_amt = 0, rc;
    char *att_text = NULL;
    size_t i;

    memset(&it, 0, sizeof it);
    basis[0] = '\0';
    if ((rc = check_fields(body, known, e))) {
        return rc;
    }
    r = json_object_get(body, "item_id");
    if (!json_is_integer(r)) {
        return err_set(e, ERR_INVALID, "item_id", "请选择政策条款");
    }
    item_id = json_integer_value(r);
    r = json_object_get(body, "enterprise_id");
    if (!json_is_integer(r)) {
        return err_set(e, ERR_INVALID, "enterprise_id", "请选择企业");
    }
    ent_id = json_integer_value(r);
    r = json_object_get(body, "year");
    if (!json_is_integer(r) || json_integer_value(r) < 2000 ||
        json_integer_value(r) > 2100) {
        return err_set(e, ERR_INVALID, "year", "年度应在 2000 至 2100 之间");
    }
    year = json_integer_value(r);
    if ((rc = req_wan(body, "claimed_wan", 0, &claimed, &has_claimed, e)) ||
        (rc = req_wan(body, "amount_wan", 0, &amount, &has_amount, e)) ||
        (rc = opt_date(body, "applied_on", 0, &applied_on, e)) ||
        (rc = opt_str(body, "note", 0, 2000, &note, e))) {
        return rc;
    }
    att = json_object_get(body, "attachments");
    if (att) {
        json_t *v;

        if (!json_is_array(att) || json_array_size(att) > 50) {
            return err_set(e, ERR_INVALID, "attachments",
                           "附件应为名称数组（最多 50 个）");
        }
        json_array_foreach(att, i, v)
        {
            if (!json_is_string(v) || json_string_length(v) == 0 ||
                json_string_length(v) > 200) {
                return err_set(e, ERR_INVALID, "attachments",
                               "第 %zu 个附件名称应为不超过 200 字节的文本",
                               i + 1);
            }
        }
        att_text = json_dumps(att, JSON_COMPACT);
    }
    date_format_iso(date_today(), today);
    if (!applied_on) {
        applied_on = today;
    }
    rc = scope_check(db, a, SCOPE_ENTERPRISE, ent_id, e);
    if (rc) {
        err_set(e, rc, "enterprise_id", "企业不存在或不在本单位管辖范围内");
        goto out;
    }
    rc = policy_item_load(db, item_id, &it, e);
    if (rc) {
        err_set(e, rc, "item_id", "政策条款不存在");
        goto out;
    }
    if (strcmp(it.status, "retired") == 0) {
        rc = err_set(e, ERR_INVALID, "item_id", "「%s」已停用", it.title);
        goto out;
    }
    if (it.amount_kind == POLICY_AMT_NONE) {
        rc = err_set(e, ERR_INVALID, "item_id",
                     "「%s」是提示类条款（由税务等部门办理），不在本系统申请",
                     it.title);
        goto out;
    }
    if ((it.window_from[0] && strcmp(applied_on, it.window_from) < 0) ||
        (it.window_to[0] && strcmp(applied_on, it.window_to) > 0)) {
        rc = err_set(e, ERR_INVALID, "applied_on",
                     "申请日 %s 不在「%s」的申报期（%s 至 %s）内", applied_on,
                     it.title, it.window_from[0] ? it.window_from : "不限",
                     it.window_to[0] ? it.window_to : "不限");
        goto out;
    }
    rc = policy_match_enterprise(db, a, ent_id, (int)year, &match, e);
    if (rc) {
        goto out;
    }
    json_array_foreach(json_object_get(match, "items"), i, r)
    {
        if (json_integer_value(json_object_get(r, "item_id")) == item_id) {
            row = r;
        }
    }
    if (row) {
        const char *oc = json_string_value(json_object_get(row, "outcome"));

        if (strcmp(oc, "not") == 0 || strcmp(oc, "nearly") == 0) {
            Buf b;
            char *s;
            json_t *why;
            size_t k;

            buf_init(&b, 2048);
            json_array_foreach(json_object_get(row, "reasons"), k, why)
            {
                buf_appendf(&b, "%s%s", k ? "；" : "", json_string_value(why));
            }
            s = buf_detach(&b, NULL);
            rc = err_set(e, ERR_INVALID, "enterprise_id",
                         "该企业不符合「%s」：%s", it.title, s ? s : "");
            free(s);
            goto out;
        }
        known_amt = json_is_true(json_object_get(row, "amount_known"));
        calc = json_integer_value(json_object_get(row, "amount"));
        snprintf(basis, sizeof basis, "%s",
                 json_string_value(json_object_get(row, "basis")));
    }
    if (it.figure == POLICY_FIGURE_CLAIMED) {
        if (!has_claimed) {
            rc = err_set(e, ERR_INVALID, "claimed_wan",
                         "「%s」按申报金额计算，请填写申报金额（万元）",
                         it.title);
            goto out;
        }
        policy_amount(&it, 1, claimed, 1, &calc, basis, sizeof basis);
        known_amt = 1;
    }
    if (has_amount) {
        if (known_amt && amount > calc) {
            char w1[48], w2[48];

            wan(amount, w1, sizeof w1);
            wan(calc, w2, sizeof w2);
            rc = err_set(e, ERR_INVALID, "amount_wan",
                         "申请金额 %s 万元超过按公式计算的 %s 万元（%s）", w1,
                         w2, basis);
            goto out;
        }
        if (!known_amt) {
            snprintf(basis, sizeof basis, "数据不全，金额由经办人填写");
        }
    } else if (!known_amt) {
        rc = err_set(e, ERR_INVALID, "amount_wan",
                     "金额无法按公式计算（%s），请填写申请金额", basis);
        goto out;
    } else {
        amount = calc;
    }
    if (amount <= 0) {
        rc = err_set(e, ERR_INVALID, "amount_wan",
                     "按公式计算的金额为 0（%s），不能申请", basis);
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(
        db, id, e,
        "INSERT INTO policy_applications (item_id, enterprise_id, year, "
        "channel, status, claimed, amount, basis, applied_on, attachments, "
        "note, created_by, created_at, updated_at) VALUES ($1, $2, $3, "
        "'apply', 'submitted', $4, $5, $6, $7, $8, $9, $10, $11, $11) "
        "RETURNING id",
        "iiipittttit", item_id, ent_id, year, has_claimed ? &claimed : NULL,
        amount, basis, applied_on, att_text, note, a->user_id, now);
    if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "item_id",
                     "该企业 %lld 年已申请「%s」，不能重复申请",
                     (long long)year, it.title);
    }
    if (rc == 0) {
        rc = app_load(db, a, *id, &after, path, sizeof path, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "policy_app.create", "policy_application", *id,
                          path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    free(att_text);
    json_decref(match);
    json_decref(after);
    policy_item_release(&it);
    return rc;
}

int policy_app_review(Db *db, const Actor *a, int64_t id, const char *stage,
                      const char *decision, const char *note, Err *e)
{
    json_t *before = NULL, *after = NULL;
    char now[32], path[ACTOR_PATH_MAX];
    const char *from, *to;
    int street, approve, rc;

    if (!stage ||
        (strcmp(stage, "street") != 0 && strcmp(stage, "bureau") != 0)) {
        return err_set(e, ERR_INVALID, "stage",
                       "审核环节应为 street（初审）或 bureau（复审）");
    }
    if (!decision ||
        (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)) {
        return err_set(e, ERR_INVALID, "decision",
                       "审核结果应为 approve（通过）或 reject（不予通过）");
    }
    street = strcmp(stage, "street") == 0;
    approve = strcmp(decision, "approve") == 0;
    if (!approve && (!note || !*note)) {
        return err_set(e, ERR_INVALID, "note", "不予通过须写明理由");
    }
    if (!street && (rc = bureau_only(a, e))) {
        return rc;
    }
    from = street ? "submitted" : "street_ok";
    to = !approve ? "rejected" : street ? "street_ok" : "bureau_ok";
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = app_load(db, a, id, &before, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    if (!json_string_value(json_object_get(before, "status")) ||
        strcmp(json_string_value(json_object_get(before, "status")), from) !=
            0) {
        rc = err_set(
            e, ERR_CONFLICT, "status", "申请当前为“%s”，不能%s",
            status_name(json_string_value(json_object_get(before, "status"))),
            street ? "初审" : "复审");
        goto out;
    }
    if (street) {
        rc = db_exec_v(db, e,
                       "UPDATE policy_applications SET status = $2, "
                       "street_note = $3, street_by = $4, street_at = $5, "
                       "reject_reason = $6, updated_at = $5 WHERE id = $1",
                       "ittitt", id, to, note, a->user_id, now,
                       approve ? NULL : note);
    } else {
        rc = db_exec_v(db, e,
                       "UPDATE policy_applications SET status = $2, "
                       "bureau_note = $3, bureau_by = $4, bureau_at = $5, "
                       "reject_reason = $6, updated_at = $5 WHERE id = $1",
                       "ittitt", id, to, note, a->user_id, now,
                       approve ? NULL : note);
    }
    if (rc == 0) {
        rc = app_load(db, a, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a,
                          street ? "policy_app.street" : "policy_app.bureau",
                          "policy_application", id, path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* Net paid of the budget line in year (all units). */
static int line_paid(Db *db, const char *line, int64_t year, int64_t *out,
                     Err *e)
{
    return db_query_int64(db, out, e,
                          "SELECT coalesce(sum(amount), 0) FROM "
                          "policy_payments WHERE budget_line = $1 AND year = "
                          "$2",
                          "ti", line, year);
}

/* Refuse a payment of amt to application app (JSON) that breaks a
 * budget, a stacking rule, an exclusion or a yearly cap. */
static int pay_check(Db *db, json_t *app, int64_t amt, const char *field,
                     Err *e)
{
    PolicyItem it;
    DbStmt *st = NULL;
    int64_t budget = 0, paid = 0, item_id, ent, year;
    const char *line;
    char w1[48], w2[48], w3[48];
    int rc;

    memset(&it, 0, sizeof it);
    item_id = json_integer_value(json_object_get(app, "item_id"));
    ent = json_integer_value(json_object_get(app, "enterprise_id"));
    year = json_integer_value(json_object_get(app, "year"));
    line = json_string_value(json_object_get(app, "budget_line"));
    rc = policy_item_load(db, item_id, &it, e);
    if (rc) {
        return rc;
    }
    if (!line || !*line) {
        rc = err_set(e, ERR_INVALID, field, "「%s」没有预算科目，不能拨付",
                     it.title);
        goto out;
    }
    rc = db_query_int64(db, &budget, e,
                        "SELECT amount FROM policy_budgets WHERE line = $1 "
                        "AND year = $2",
                        "ti", line, year);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_INVALID, field,
                     "预算科目“%s”%lld 年未设预算，不能拨付", line,
                     (long long)year);
        goto out;
    }
    if (rc == 0) {
        rc = line_paid(db, line, year, &paid, e);
    }
    if (rc) {
        goto out;
    }
    if (paid + amt > budget) {
        wan(budget, w1, sizeof w1);
        wan(paid, w2, sizeof w2);
        wan(amt, w3, sizeof w3);
        rc = err_set(e, ERR_INVALID, field,
                     "超出预算：“%s”%lld 年预算 %s 万元，已拨付 %s 万元，本次 "
                     "%s 万元",
                     line, (long long)year, w1, w2, w3);
        goto out;
    }
    if (it.year_cap > 0) {
        rc = db_query_int64(db, &paid, e,
                            "SELECT coalesce(sum(p.amount), 0) FROM "
                            "policy_payments p JOIN policy_applications a ON "
                            "a.id = p.application_id WHERE a.item_id = $1 AND "
                            "a.enterprise_id = $2 AND a.year = $3",
                            "iii", item_id, ent, year);
        if (rc) {
            goto out;
        }
        if (paid + amt > it.year_cap) {
            wan(it.year_cap, w1, sizeof w1);
            wan(paid, w2, sizeof w2);
            rc = err_set(e, ERR_INVALID, field,
                         "超过每家每年上限：「%s」每年最高 %s 万元，已拨付 %s "
                         "万元",
                         it.title, w1, w2);
            goto out;
        }
    }
    /* stacking and exclusions against what the enterprise was paid */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT i.title, i.code, i.stack_group, i.excludes, sum(p.amount) "
        "FROM policy_payments p JOIN policy_applications a ON a.id = "
        "p.application_id JOIN policy_items i ON i.id = a.item_id WHERE "
        "a.enterprise_id = $1 AND a.year = $2 AND a.item_id <> $3 GROUP BY "
        "i.id, i.title, i.code, i.stack_group, i.excludes HAVING "
        "sum(p.amount) > 0",
        "iii", ent, year, item_id);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        const char *title = db_col_text(st, 0);
        const char *code = db_col_text(st, 1);
        const char *grp = db_col_text(st, 2);
        const char *exc = db_col_text(st, 3);

        if (it.stack_group[0] && grp && strcmp(grp, it.stack_group) == 0) {
            rc = err_set(
                e, ERR_INVALID, field, "%s：该企业 %lld 年已享受「%s」",
                it.stack_rule == POLICY_STACK_HIGHEST ? "就高不重复"
                                                      : "同一事项不重复享受",
                (long long)year, title);
            goto out;
        }
        if ((exc && policy_list_has(exc, it.code)) ||
            (code && policy_list_has(it.excludes, code))) {
            rc = err_set(e, ERR_INVALID, field,
                         "「%s」与「%s」不能同时享受：该企业 %lld 年已享受后者",
                         it.title, title, (long long)year);
            goto out;
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    policy_item_release(&it);
    return rc;
}

int policy_app_clawback(Db *db, const Actor *a, int64_t id, json_t *body,
                        Err *e)
{
    static const char *const known[] = {"amount_wan", "reason", "on",
                                        "voucher_no", NULL};
    json_t *before = NULL, *after = NULL;
    const char *reason = NULL, *on = NULL, *voucher = NULL;
    char now[32], today[DATE_ISO_SIZE], path[ACTOR_PATH_MAX], w1[48], w2[48];
    int64_t amt = 0, paid;
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = req_wan(body, "amount_wan", 1, &amt, NULL, e)) ||
        (rc = opt_str(body, "reason", 1, 1000, &reason, e)) ||
        (rc = opt_date(body, "on", 0, &on, e)) ||
        (rc = opt_str(body, "voucher_no", 0, 64, &voucher, e)) ||
        (rc = bureau_only(a, e))) {
        return rc;
    }
    date_format_iso(date_today(), today);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = app_load(db, a, id, &before, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    paid = json_integer_value(json_object_get(before, "paid"));
    if (amt > paid) {
        wan(amt, w1, sizeof w1);
        wan(paid, w2, sizeof w2);
        rc = err_set(e, ERR_INVALID, "amount_wan",
                     "追回金额 %s 万元超过已拨付的 %s 万元", w1, w2);
        goto out;
    }
    rc = db_exec_v(db, e,
                   "INSERT INTO policy_payments (application_id, kind, amount, "
                   "paid_on, voucher_no, reason, year, budget_line, "
                   "created_by, created_at) VALUES ($1, 'clawback', $2, $3, "
                   "$4, $5, $6, $7, $8, $9)",
                   "iitttitit", id, -amt, on ? on : today, voucher, reason,
                   json_integer_value(json_object_get(before, "year")),
                   json_string_value(json_object_get(before, "budget_line")),
                   a->user_id, now);
    if (rc == 0) {
        rc = app_load(db, a, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        json_object_set_new(after, "clawback_reason", json_string(reason));
        rc = audit_record(db, a, "policy_app.clawback", "policy_application",
                          id, path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- notices and objections ---- */

int policy_notice_create(Db *db, const Actor *a, json_t *body, int64_t *id,
                         Err *e)
{
    static const char *const known[] = {"title",   "start_on",        "end_on",
                                        "contact", "application_ids", NULL};
    const char *title, *start, *end, *contact;
    json_t *ids, *v, *after = NULL;
    char now[32];
    size_t i;
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = opt_str(body, "title", 1, 200, &title, e)) ||
        (rc = opt_date(body, "start_on", 1, &start, e)) ||
        (rc = opt_date(body, "end_on", 1, &end, e)) ||
        (rc = opt_str(body, "contact", 0, 200, &contact, e)) ||
        (rc = bureau_only(a, e))) {
        return rc;
    }
    if (strcmp(end, start) < 0) {
        return err_set(e, ERR_INVALID, "end_on", "公示截止日不能早于开始日");
    }
    ids = json_object_get(body, "application_ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0) {
        return err_set(e, ERR_INVALID, "application_ids",
                       "请选择要公示的申请（application_ids 数组）");
    }
    if (json_array_size(ids) > POLICY_NOTICE_APPS_MAX) {
        return err_set(e, ERR_TOOBIG, "application_ids", "一次最多公示 %d 条",
                       POLICY_NOTICE_APPS_MAX);
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, id, e,
                        "INSERT INTO policy_notices (title, start_on, end_on, "
                        "contact, created_by, created_at) VALUES ($1, $2, $3, "
                        "$4, $5, $6) RETURNING id",
                        "ttttit", title, start, end, contact, a->user_id, now);
    if (rc) {
        goto out;
    }
    json_array_foreach(ids, i, v)
    {
        json_t *app = NULL;
        char field[40];

        snprintf(field, sizeof field, "application_ids[%zu]", i);
        if (!json_is_integer(v)) {
            rc = err_set(e, ERR_INVALID, field, "申请编号应为整数");
            goto out;
        }
        rc = app_load(db, a, json_integer_value(v), &app, NULL, 0, e);
        if (rc) {
            err_set(e, rc, field, "申请 %lld 不存在",
                    (long long)json_integer_value(v));
            goto out;
        }
        if (!json_string_value(json_object_get(app, "status")) ||
            strcmp(json_string_value(json_object_get(app, "status")),
                   "bureau_ok") != 0) {
            rc = err_set(
                e, ERR_CONFLICT, field,
                "申请 %lld（%s）当前为“%s”，复审通过后才能公示",
                (long long)json_integer_value(v),
                json_string_value(json_object_get(app, "enterprise_name")),
                json_string_value(json_object_get(app, "status_name")));
            json_decref(app);
            goto out;
        }
        json_decref(app);
        rc = db_exec_v(db, e,
                       "UPDATE policy_applications SET status = 'notice', "
                       "notice_id = $2, updated_at = $3 WHERE id = $1",
                       "iit", json_integer_value(v), *id, now);
        if (rc) {
            goto out;
        }
    }
    after = json_pack("{s:s,s:s,s:s,s:O}", "title", title, "start_on", start,
                      "end_on", end, "application_ids", ids);
    rc = audit_record(db, a, "policy_notice.create", "policy_notice", *id, NULL,
                      NULL, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

static json_t *notice_row_json(DbStmt *st)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:I,s:I}", "id",
                     (json_int_t)db_col_int64(st, 0), "title",
                     db_col_text(st, 1), "start_on", db_col_text(st, 2),
                     "end_on", db_col_text(st, 3), "contact",
                     db_col_text(st, 4), "created_at", db_col_text(st, 5),
                     "n_applications", (json_int_t)db_col_int64(st, 6), "total",
                     (json_int_t)db_col_int64(st, 7));
}

/* The applications of notice n.id whose enterprise lies in the scope $1
 * (a LIKE pattern "/1/4/%"). */
#define NOTICE_APPS_IN_SCOPE                                                   \
    "FROM policy_applications a JOIN enterprises e ON e.id = "                 \
    "a.enterprise_id JOIN org_units o ON o.id = e.unit_id WHERE a.notice_id "  \
    "= n.id AND o.path LIKE $1"

/* A notice as the actor sees it: counted and summed over the
 * applications in its scope, listed only when one of them is (or when the
 * notice has none at all). */
#define NOTICE_SELECT                                                          \
    "SELECT n.id, n.title, n.start_on, n.end_on, n.contact, n.created_at, "    \
    "(SELECT count(*) " NOTICE_APPS_IN_SCOPE "), (SELECT "                     \
    "coalesce(sum(a.amount), 0) " NOTICE_APPS_IN_SCOPE ") FROM "               \
    "policy_notices n WHERE (EXISTS (SELECT 1 " NOTICE_APPS_IN_SCOPE           \
    ") OR NOT EXISTS (SELECT 1 FROM policy_applications a WHERE a.notice_id "  \
    "= n.id)) "

int policy_notice_list(Db *db, const Actor *a, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc =
        db_prepare_v(db, &st, e, NOTICE_SELECT "ORDER BY n.id DESC", "t", like);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, notice_row_json(st));
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int policy_notice_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    PolicyAppFilter f;
    json_t *apps = NULL, *objs;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc =
        db_prepare_v(db, &st, e, NOTICE_SELECT "AND n.id = $2", "ti", like, id);
    if (rc) {
        return rc;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = notice_row_json(st);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "公示不存在");
    }
    db_finalize(st);
    if (rc) {
        return rc;
    }
    memset(&f, 0, sizeof f);
    f.notice_id = id;
    rc = policy_app_list(db, a, &f, &apps, e);
    if (rc) {
        json_decref(*out);
        return rc;
    }
    json_object_set_new(*out, "applications", apps);
    rc = db_prepare_v(db, &st, e,
                      "SELECT j.id, j.application_id, j.received_on, "
                      "j.content, j.resolution, j.upheld, j.resolved_on, "
                      "e.name FROM policy_objections j JOIN "
                      "policy_applications a ON a.id = j.application_id JOIN "
                      "enterprises e ON e.id = a.enterprise_id JOIN "
                      "org_units o ON o.id = e.unit_id WHERE j.notice_id = "
                      "$1 AND o.path LIKE $2 ORDER BY j.id",
                      "it", id, like);
    if (rc) {
        json_decref(*out);
        return rc;
    }
    objs = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            objs,
            json_pack("{s:I,s:I,s:s,s:s,s:s?,s:o,s:s?,s:s}", "id",
                      (json_int_t)db_col_int64(st, 0), "application_id",
                      (json_int_t)db_col_int64(st, 1), "received_on",
                      db_col_text(st, 2), "content", db_col_text(st, 3),
                      "resolution", db_col_text(st, 4), "upheld",
                      db_col_is_null(st, 5) ? json_null()
                                            : json_boolean(db_col_int64(st, 5)),
                      "resolved_on", db_col_text(st, 6), "enterprise_name",
                      db_col_text(st, 7)));
    }
    db_finalize(st);
    json_object_set_new(*out, "objections", objs);
    return rc == DB_DONE ? 0 : rc;
}

int policy_objection_create(Db *db, const Actor *a, int64_t notice_id,
                            json_t *body, int64_t *id, Err *e)
{
    static const char *const known[] = {"application_id", "content",
                                        "received_on", NULL};
    json_t *app = NULL, *after = NULL, *v;
    const char *content, *on;
    char now[32], start[DATE_ISO_SIZE] = "", end[DATE_ISO_SIZE] = "",
                  path[ACTOR_PATH_MAX];
    char *s = NULL;
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = opt_str(body, "content", 1, 2000, &content, e)) ||
        (rc = opt_date(body, "received_on", 1, &on, e))) {
        return rc;
    }
    v = json_object_get(body, "application_id");
    if (!json_is_integer(v)) {
        return err_set(e, ERR_INVALID, "application_id", "请选择被异议的申请");
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_text(db, &s, e,
                       "SELECT start_on || ' ' || end_on FROM policy_notices "
                       "WHERE id = $1",
                       "i", notice_id);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, "id", "公示不存在");
    }
    if (rc) {
        goto out;
    }
    if (!s || !on || sscanf(s, "%10s %10s", start, end) != 2) {
        rc = err_set(e, ERR_INVALID, "received_on", "公示期不完整");
        goto out;
    }
    if (strcmp(on, start) < 0 || strcmp(on, end) > 0) {
        rc = err_set(e, ERR_INVALID, "received_on",
                     "异议收到日 %s 不在公示期（%s 至 %s）内", on, start, end);
        goto out;
    }
    rc = app_load(db, a, json_integer_value(v), &app, path, sizeof path, e);
    if (rc) {
        err_set(e, rc, "application_id", "申请不存在");
        goto out;
    }
    if (json_integer_value(json_object_get(app, "notice_id")) != notice_id) {
        rc = err_set(e, ERR_INVALID, "application_id", "该申请不在本次公示中");
        goto out;
    }
    rc = db_query_int64(db, id, e,
                        "INSERT INTO policy_objections (notice_id, "
                        "application_id, received_on, content, created_at) "
                        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        "iitt"
                        "t",
                        notice_id, json_integer_value(v), on, content, now);
    if (rc == 0) {
        after =
            json_pack("{s:I,s:I,s:s,s:s}", "notice_id", (json_int_t)notice_id,
                      "application_id", json_integer_value(v), "received_on",
                      on, "content", content);
        rc = audit_record(db, a, "policy_objection.create", "policy_objection",
                          *id, path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    free(s);
    json_decref(app);
    json_decref(after);
    return rc;
}

int policy_objection_resolve(Db *db, const Actor *a, int64_t id, json_t *body,
                             Err *e)
{
    static const char *const known[] = {"upheld", "resolution", NULL};
    json_t *up, *before = NULL, *after = NULL;
    const char *res;
    char now[32], today[DATE_ISO_SIZE], path[ACTOR_PATH_MAX];
    int64_t app_id = 0, open = 0;
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = opt_str(body, "resolution", 1, 2000, &res, e)) ||
        (rc = bureau_only(a, e))) {
        return rc;
    }
    up = json_object_get(body, "upheld");
    if (!json_is_boolean(up)) {
        return err_set(e, ERR_INVALID, "upheld",
                       "请选择异议是否成立（upheld: true/false）");
    }
    clock_now_iso(now, 0);
    date_format_iso(date_today(), today);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, &app_id, e,
                        "SELECT application_id FROM policy_objections WHERE "
                        "id = $1",
                        "i", id);
    if (rc == 0) {
        rc = db_query_int64(db, &open, e,
                            "SELECT count(*) FROM policy_objections WHERE id "
                            "= $1 AND resolved_on IS NULL",
                            "i", id);
    }
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, "id", "异议不存在");
    }
    if (rc == 0) {
        rc = app_load(db, a, app_id, &before, path, sizeof path, e);
    }
    if (rc) {
        goto out;
    }
    if (!open) {
        rc = err_set(e, ERR_CONFLICT, "id", "该异议已处理");
        goto out;
    }
    rc = db_exec_v(db, e,
                   "UPDATE policy_objections SET resolution = $2, upheld = $3, "
                   "resolved_on = $4 WHERE id = $1",
                   "itit", id, res, (int64_t)json_is_true(up), today);
    if (rc == 0 && json_is_true(up)) {
        rc = db_exec_v(db, e,
                       "UPDATE policy_applications SET status = 'rejected', "
                       "reject_reason = $2, updated_at = $3 WHERE id = $1",
                       "itt", app_id, res, now);
    }
    if (rc == 0) {
        rc = app_load(db, a, app_id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        json_object_set_new(after, "objection_upheld", json_incref(up));
        json_object_set_new(after, "objection_resolution", json_string(res));
        rc = audit_record(db, a, "policy_objection.resolve",
                          "policy_application", app_id, path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- payment batches ---- */

int policy_batch_create(Db *db, const Actor *a, json_t *body, int64_t *id,
                        Err *e)
{
    static const char *const known[] = {"title",     "paid_on", "voucher_no",
                                        "total_wan", "rows",    NULL};
    const char *title, *paid_on, *voucher;
    json_t *rows, *r, *after = NULL;
    int64_t total, sum = 0;
    char now[32], w1[48], w2[48];
    size_t i;
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = opt_str(body, "title", 1, 200, &title, e)) ||
        (rc = opt_date(body, "paid_on", 1, &paid_on, e)) ||
        (rc = opt_str(body, "voucher_no", 1, 64, &voucher, e)) ||
        (rc = req_wan(body, "total_wan", 1, &total, NULL, e)) ||
        (rc = bureau_only(a, e))) {
        return rc;
    }
    rows = json_object_get(body, "rows");
    if (!json_is_array(rows) || json_array_size(rows) == 0) {
        return err_set(e, ERR_INVALID, "rows",
                       "请列出拨付明细（rows：application_id 与 amount_wan）");
    }
    if (json_array_size(rows) > POLICY_BATCH_ROWS_MAX) {
        return err_set(e, ERR_TOOBIG, "rows", "一批最多 %d 条",
                       POLICY_BATCH_ROWS_MAX);
    }
    /* the batch sum must equal its rows: checked before anything is written */
    json_array_foreach(rows, i, r)
    {
        int64_t amt;
        char field[40];

        snprintf(field, sizeof field, "rows[%zu].amount_wan", i);
        if (!json_is_object(r) ||
            !json_is_integer(json_object_get(r, "application_id"))) {
            return err_set(e, ERR_INVALID, field,
                           "第 %zu 行应有 application_id 和 amount_wan", i + 1);
        }
        if ((rc = req_wan(r, "amount_wan", 1, &amt, NULL, e))) {
            err_set(e, rc, field, "第 %zu 行：%s", i + 1, e->msg);
            return rc;
        }
        sum += amt;
    }
    if (sum != total) {
        wan(total, w1, sizeof w1);
        wan(sum, w2, sizeof w2);
        return err_set(e, ERR_INVALID, "total_wan",
                       "批次合计 %s 万元与明细之和 %s 万元不符", w1, w2);
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, id, e,
                        "INSERT INTO policy_batches (title, paid_on, "
                        "voucher_no, total, n_rows, created_by, created_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                        "tttiiit", title, paid_on, voucher, total,
                        (int64_t)json_array_size(rows), a->user_id, now);
    if (rc) {
        goto out;
    }
    json_array_foreach(rows, i, r)
    {
        json_t *before = NULL, *app_after = NULL;
        int64_t app_id =
            json_integer_value(json_object_get(r, "application_id"));
        int64_t amt = 0, amount, paid, n_open;
        char field[40], path[ACTOR_PATH_MAX];
        const char *st;
        char *end = NULL;

        snprintf(field, sizeof field, "rows[%zu]", i);
        req_wan(r, "amount_wan", 1, &amt, NULL, e);
        rc = app_load(db, a, app_id, &before, path, sizeof path, e);
        if (rc) {
            err_set(e, rc, field, "第 %zu 行：申请 %lld 不存在", i + 1,
                    (long long)app_id);
            goto out;
        }
        st = json_string_value(json_object_get(before, "status"));
        amount = json_integer_value(json_object_get(before, "amount"));
        paid = json_integer_value(json_object_get(before, "paid"));
        n_open = json_integer_value(json_object_get(before, "open_objections"));
        if (!st || (strcmp(st, "notice") != 0 && strcmp(st, "paid") != 0)) {
            rc = err_set(
                e, ERR_CONFLICT, field,
                "第 %zu 行（%s）：申请当前为“%s”，公示期满后才能拨付", i + 1,
                json_string_value(json_object_get(before, "enterprise_name")),
                json_string_value(json_object_get(before, "status_name")));
        }
        if (rc == 0) {
            rc = db_query_text(
                db, &end, e, "SELECT end_on FROM policy_notices WHERE id = $1",
                "i", json_integer_value(json_object_get(before, "notice_id")));
        }
        if (rc == 0 && (!end || !paid_on || strcmp(paid_on, end) <= 0)) {
            rc = err_set(e, ERR_CONFLICT, field,
                         "第 %zu 行：公示期至 %s 止，拨付日须在公示期满之后",
                         i + 1, end);
        }
        free(end);
        if (rc == 0 && n_open > 0) {
            rc = err_set(e, ERR_CONFLICT, field,
                         "第 %zu 行：该申请有未处理的异议，不能拨付", i + 1);
        }
        if (rc == 0 && paid + amt > amount) {
            wan(amount - paid, w1, sizeof w1);
            rc =
                err_set(e, ERR_INVALID, field,
                        "第 %zu 行：拨付金额超过尚未拨付的 %s 万元", i + 1, w1);
        }
        if (rc == 0) {
            rc = pay_check(db, before, amt, field, e);
        }
        if (rc == 0) {
            rc = db_exec_v(
                db, e,
                "INSERT INTO policy_payments (application_id, batch_id, kind, "
                "amount, paid_on, voucher_no, year, budget_line, created_by, "
                "created_at) VALUES ($1, $2, 'pay', $3, $4, $5, $6, $7, $8, "
                "$9)",
                "iiittitit", app_id, *id, amt, paid_on, voucher,
                json_integer_value(json_object_get(before, "year")),
                json_string_value(json_object_get(before, "budget_line")),
                a->user_id, now);
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE policy_applications SET status = $2, "
                           "updated_at = $3 WHERE id = $1",
                           "itt", app_id,
                           paid + amt == amount ? "closed" : "paid", now);
        }
        if (rc == 0) {
            rc = app_load(db, a, app_id, &app_after, NULL, 0, e);
        }
        if (rc == 0) {
            json_object_set_new(app_after, "batch_id", json_integer(*id));
            rc = audit_record(db, a, "policy_app.pay", "policy_application",
                              app_id, path, before, app_after, e);
        }
        json_decref(before);
        json_decref(app_after);
        if (rc) {
            goto out;
        }
    }
    after =
        json_pack("{s:s,s:s,s:s,s:I,s:I}", "title", title, "paid_on", paid_on,
                  "voucher_no", voucher, "total", (json_int_t)total, "rows",
                  (json_int_t)json_array_size(rows));
    rc = audit_record(db, a, "policy_batch.create", "policy_batch", *id, NULL,
                      NULL, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

static json_t *batch_row_json(DbStmt *st)
{
    char w[48];

    wan(db_col_int64(st, 4), w, sizeof w);
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:s,s:I}", "id",
        (json_int_t)db_col_int64(st, 0), "title", db_col_text(st, 1), "paid_on",
        db_col_text(st, 2), "voucher_no", db_col_text(st, 3), "total",
        (json_int_t)db_col_int64(st, 4), "total_wan", w, "n_rows",
        (json_int_t)db_col_int64(st, 5), "created_at", db_col_text(st, 6),
        "rows_sum", (json_int_t)db_col_int64(st, 7));
}

/* The payments of batch b.id whose enterprise lies in the scope $1. */
#define BATCH_PAYS_IN_SCOPE                                                    \
    "FROM policy_payments p JOIN policy_applications a ON a.id = "             \
    "p.application_id JOIN enterprises e ON e.id = a.enterprise_id JOIN "      \
    "org_units o ON o.id = e.unit_id WHERE p.batch_id = b.id AND o.path "      \
    "LIKE $1"

/* A batch as the actor sees it: the declared total and row count for a
 * district-wide scope ($2 = 1), else the sum and count of the rows in the
 * scope; listed only when one of its rows is in the scope (or it has
 * none). */
#define BATCH_SELECT                                                           \
    "SELECT b.id, b.title, b.paid_on, b.voucher_no, CASE WHEN CAST($2 AS "     \
    "INTEGER) = 1 THEN b.total ELSE (SELECT coalesce(sum(p.amount), "          \
    "0) " BATCH_PAYS_IN_SCOPE ") END, CASE WHEN CAST($2 AS INTEGER) = 1 THEN " \
    "b.n_rows ELSE (SELECT count(*) " BATCH_PAYS_IN_SCOPE ") END, "            \
    "b.created_at, (SELECT coalesce(sum(p.amount), 0) " BATCH_PAYS_IN_SCOPE    \
    ") FROM policy_batches b WHERE (EXISTS (SELECT 1 " BATCH_PAYS_IN_SCOPE     \
    ") OR NOT EXISTS (SELECT 1 FROM policy_payments p WHERE p.batch_id = "     \
    "b.id)) "

/* 1 when the actor's scope is the whole district (the root unit). */
static int policy_district_wide(const Actor *a)
{
    int slashes = 0;

    for (const char *p = a->unit_path; *p; p++) {
        slashes += *p == '/';
    }
    return slashes <= 2;
}

int policy_batch_list(Db *db, const Actor *a, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc = db_prepare_v(db, &st, e, BATCH_SELECT "ORDER BY b.id DESC", "ti", like,
                      (int64_t)policy_district_wide(a));
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, batch_row_json(st));
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int policy_batch_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *rows;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc = db_prepare_v(db, &st, e, BATCH_SELECT "AND b.id = $3", "tii", like,
                      (int64_t)policy_district_wide(a), id);
    if (rc) {
        return rc;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = batch_row_json(st);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "拨付批次不存在");
    }
    db_finalize(st);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT p.id, p.application_id, e.name, e.uscc, "
                      "o.name, i.title, p.amount, p.paid_on, p.voucher_no "
                      "FROM policy_payments p JOIN policy_applications a ON "
                      "a.id = p.application_id JOIN enterprises e ON e.id = "
                      "a.enterprise_id JOIN org_units o ON o.id = e.unit_id "
                      "JOIN policy_items i ON i.id = a.item_id WHERE "
                      "p.batch_id = $1 AND o.path LIKE $2 ORDER BY p.id",
                      "it", id, like);
    if (rc) {
        json_decref(*out);
        return rc;
    }
    rows = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        char w[48];

        wan(db_col_int64(st, 6), w, sizeof w);
        json_array_append_new(
            rows, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "id",
                            (json_int_t)db_col_int64(st, 0), "application_id",
                            (json_int_t)db_col_int64(st, 1), "enterprise_name",
                            db_col_text(st, 2), "uscc", db_col_text(st, 3),
                            "unit_name", db_col_text(st, 4), "item_title",
                            db_col_text(st, 5), "amount",
                            (json_int_t)db_col_int64(st, 6), "amount_wan", w,
                            "paid_on", db_col_text(st, 7), "voucher_no",
                            db_col_text(st, 8)));
    }
    db_finalize(st);
    json_object_set_new(*out, "payments", rows);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- budgets ---- */

int policy_budget_list(Db *db, int64_t year, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(
        db, &st, e,
        "SELECT l.line, (SELECT amount FROM policy_budgets b WHERE b.line = "
        "l.line AND b.year = $1), (SELECT coalesce(sum(p.amount), 0) FROM "
        "policy_payments p WHERE p.budget_line = l.line AND p.year = $1), "
        "(SELECT coalesce(sum(a.amount - coalesce((SELECT sum(p.amount) FROM "
        "policy_payments p WHERE p.application_id = a.id), 0)), 0) FROM "
        "policy_applications a JOIN policy_items i ON i.id = a.item_id WHERE "
        "i.budget_line = l.line AND a.year = $1 AND a.status IN "
        "('bureau_ok', 'notice', 'paid')) FROM (SELECT line FROM "
        "policy_budgets WHERE year = $1 UNION SELECT budget_line FROM "
        "policy_items WHERE budget_line IS NOT NULL) l ORDER BY l.line",
        "i", year);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        int has = !db_col_is_null(st, 1);
        int64_t budget = db_col_int64(st, 1), paid = db_col_int64(st, 2),
                committed = db_col_int64(st, 3);
        char w1[48], w2[48], w3[48], w4[48];

        wan(budget, w1, sizeof w1);
        wan(paid, w2, sizeof w2);
        wan(committed, w3, sizeof w3);
        wan(budget - paid - committed, w4, sizeof w4);
        json_array_append_new(
            *items,
            json_pack("{s:s,s:I,s:b,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s}", "line",
                      db_col_text(st, 0), "year", (json_int_t)year,
                      "has_budget", has, "amount", (json_int_t)budget, "paid",
                      (json_int_t)paid, "committed", (json_int_t)committed,
                      "remaining", (json_int_t)(budget - paid - committed),
                      "amount_wan", w1, "paid_wan", w2, "committed_wan", w3,
                      "remaining_wan", w4));
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int policy_budget_put(Db *db, const Actor *a, json_t *body, Err *e)
{
    static const char *const known[] = {"line", "year", "amount_wan", "note",
                                        NULL};
    const char *line, *note;
    json_t *y, *before = NULL, *after = NULL;
    int64_t amt = 0, paid = 0, old = 0, bid = 0;
    char now[32], w1[48], w2[48];
    int rc;

    if ((rc = check_fields(body, known, e)) ||
        (rc = opt_str(body, "line", 1, 100, &line, e)) ||
        (rc = opt_str(body, "note", 0, 500, &note, e)) ||
        (rc = bureau_only(a, e))) {
        return rc;
    }
    y = json_object_get(body, "year");
    if (!json_is_integer(y) || json_integer_value(y) < 2000 ||
        json_integer_value(y) > 2100) {
        return err_set(e, ERR_INVALID, "year", "年度应在 2000 至 2100 之间");
    }
    if (json_is_integer(json_object_get(body, "amount_wan")) &&
        json_integer_value(json_object_get(body, "amount_wan")) == 0) {
        amt = 0;
    } else if ((rc = req_wan(body, "amount_wan", 1, &amt, NULL, e))) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = line_paid(db, line, json_integer_value(y), &paid, e);
    if (rc) {
        goto out;
    }
    if (amt < paid) {
        wan(amt, w1, sizeof w1);
        wan(paid, w2, sizeof w2);
        rc = err_set(e, ERR_INVALID, "amount_wan",
                     "预算 %s 万元少于本年已拨付的 %s 万元", w1, w2);
        goto out;
    }
    rc = db_query_int64(db, &old, e,
                        "SELECT amount FROM policy_budgets WHERE line = $1 AND "
                        "year = $2",
                        "ti", line, json_integer_value(y));
    if (rc == 0) {
        before = json_pack("{s:s,s:O,s:I}", "line", line, "year", y, "amount",
                           (json_int_t)old);
    } else if (rc != ERR_NOTFOUND) {
        goto out;
    }
    rc = db_query_int64(
        db, &bid, e,
        "INSERT INTO policy_budgets (line, year, amount, note, updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (line, year) DO UPDATE SET "
        "amount = excluded.amount, note = excluded.note, updated_at = "
        "excluded.updated_at RETURNING id",
        "tiitt", line, json_integer_value(y), amt, note, now);
    if (rc) {
        goto out;
    }
    after = json_pack("{s:s,s:O,s:I}", "line", line, "year", y, "amount",
                      (json_int_t)amt);
    rc = audit_record(db, a, "policy_budget.put", "policy_budget", bid, NULL,
                      before, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
