/* qual_cal_rules.c - editing the compliance calendar's rules (the table
 * calendar_rules; see qual_cal.h). */
#include "domain/qual/qual_cal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/utf8.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/qual/qual.h"

#define CAL_RULES_MAX 64    /* rules kept (qual_cal.c loads 64) */
#define CAL_OFFSET_MAX 3660 /* days before/after the anchor */

/* What a rule's date is computed from: the one table the rules' JSON,
 * the validation and GET /reference/qualifications use. */
static const struct {
    const char *code, *name;
} cal_anchors[] = {
    {"valid_to", "有效期止"},
    {"expiry_year", "到期当年（1 月 1 日起至有效期止）"},
    {"yearly", "每年固定日期"},
};

static const char *cal_anchor_name(const char *a)
{
    for (size_t i = 0; a && i < sizeof cal_anchors / sizeof cal_anchors[0];
         i++) {
        if (strcmp(a, cal_anchors[i].code) == 0) {
            return cal_anchors[i].name;
        }
    }
    return NULL;
}

json_t *qual_cal_anchors_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < sizeof cal_anchors / sizeof cal_anchors[0]; i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "code", cal_anchors[i].code,
                                        "name", cal_anchors[i].name));
    }
    return arr;
}

#define CAL_RULE_COLS                                                          \
    "SELECT id, code, kind, event, anchor, offset_days, month, day, title, "   \
    "source, source_date, status, enabled FROM calendar_rules "

static json_t *cal_rule_json(DbStmt *st)
{
    const char *kind = db_col_text(st, 2);
    const QualKind *k = qual_kind_find(kind);
    const char *anchor = db_col_text(st, 4);
    const char *status = db_col_text(st, 11);

    return json_pack(
        "{sIsssssssssssssIsosossssss?sssssb}", "id",
        (json_int_t)db_col_int64(st, 0), "code", db_col_text(st, 1), "kind",
        kind, "kind_name", k ? k->name : kind, "event", db_col_text(st, 3),
        "anchor", anchor, "anchor_name",
        cal_anchor_name(anchor) ? cal_anchor_name(anchor) : anchor,
        "offset_days", (json_int_t)db_col_int64(st, 5), "month",
        db_col_is_null(st, 6) ? json_null() : json_integer(db_col_int64(st, 6)),
        "day",
        db_col_is_null(st, 7) ? json_null() : json_integer(db_col_int64(st, 7)),
        "title", db_col_text(st, 8), "source", db_col_text(st, 9),
        "source_date", db_col_text(st, 10), "status", status, "status_name",
        labels_verify_status(status) ? labels_verify_status(status) : "",
        "enabled", db_col_int64(st, 12) != 0);
}

static int cal_rule_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    if (id) {
        rc = db_prepare_v(db, &st, e, CAL_RULE_COLS "WHERE id = $1", "i", id);
    } else {
        rc = db_prepare_v(db, &st, e, CAL_RULE_COLS "ORDER BY id", "");
    }
    if (rc == 0 && !id) {
        *out = json_array();
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        rc = 0;
        if (id) {
            *out = cal_rule_json(st);
            break;
        }
        json_array_append_new(*out, cal_rule_json(st));
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        rc = 0;
    }
    if (rc == 0 && !*out) {
        rc = err_set(e, ERR_NOTFOUND, "rule_id", "提醒规则不存在");
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int qual_cal_rules_all(Db *db, json_t **out, Err *e)
{
    return cal_rule_read(db, 0, out, e);
}

int qual_cal_rule_get(Db *db, int64_t id, json_t **out, Err *e)
{
    return cal_rule_read(db, id, out, e);
}

static int cal_text(const char *s, int required, size_t max, const char *field,
                    const char *what, Err *e)
{
    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", what) : 0;
    }
    if (utf8_count_chars(s, strlen(s)) > max) {
        return err_set(e, ERR_INVALID, field, "%s不能超过 %zu 个字", what, max);
    }
    return 0;
}

/* The rule after the change (cur = the stored one, NULL on create),
 * checked as a whole: anchor, month and day, offset, texts, status. */
static int cal_rule_check(const QualCalRuleInput *in, json_t *cur,
                          QualCalRuleInput *v, char sdate[DATE_ISO_SIZE],
                          Err *e)
{
    int rc;
    Date d;

    memset(v, 0, sizeof *v);
#define CUR_S(k) (cur ? json_string_value(json_object_get(cur, k)) : NULL)
#define CUR_I(k) (cur ? json_integer_value(json_object_get(cur, k)) : 0)
    v->code = cur ? CUR_S("code") : in->code;
    v->kind = cur ? CUR_S("kind") : in->kind;
    v->event = cur ? CUR_S("event") : in->event;
    v->anchor = cur ? CUR_S("anchor") : in->anchor;
    v->offset_days = in->has_offset ? in->offset_days : CUR_I("offset_days");
    v->month = in->has_month_day ? in->month : CUR_I("month");
    v->day = in->has_month_day ? in->day : CUR_I("day");
    v->title = in->title ? in->title : CUR_S("title");
    v->source = in->source ? in->source : CUR_S("source");
    v->source_date = in->source_date ? in->source_date : CUR_S("source_date");
    v->status = in->status ? in->status : CUR_S("status");
    v->enabled = in->has_enabled ? in->enabled
                 : cur           ? json_is_true(json_object_get(cur, "enabled"))
                                 : 1;
#undef CUR_S
#undef CUR_I
    if (!cur) {
        if (!v->kind || !qual_kind_find(v->kind)) {
            return err_set(e, ERR_INVALID, "kind", "请选择资质类型");
        }
        if (!v->event || !*v->event || strlen(v->event) > 32 ||
            strspn(v->event, "abcdefghijklmnopqrstuvwxyz_") !=
                strlen(v->event)) {
            return err_set(e, ERR_INVALID, "event",
                           "事项代码应为小写英文字母和下划线（不超过 32 "
                           "个），如 annual_report");
        }
        if (!cal_anchor_name(v->anchor)) {
            return err_set(e, ERR_INVALID, "anchor",
                           "日期依据应为 valid_to（有效期止）、expiry_year"
                           "（到期当年）或 yearly（每年固定日期）");
        }
    }
    if (v->offset_days < -CAL_OFFSET_MAX || v->offset_days > CAL_OFFSET_MAX) {
        return err_set(e, ERR_INVALID, "offset_days",
                       "提前或推后的天数应在 -%d 到 %d 之间", CAL_OFFSET_MAX,
                       CAL_OFFSET_MAX);
    }
    if (strcmp(v->anchor, "yearly") == 0) {
        if (v->month < 1 || v->month > 12) {
            return err_set(e, ERR_INVALID, "month",
                           "每年固定日期的规则须填写月份（1–12）");
        }
        if (v->day < 1 || v->day > date_days_in_month(2023, (int)v->month)) {
            return err_set(e, ERR_INVALID, "day", "%lld 月没有 %lld 日",
                           (long long)v->month, (long long)v->day);
        }
    } else if (v->month || v->day) {
        return err_set(e, ERR_INVALID, "month",
                       "按有效期计算的规则不填月、日（用提前或推后的天数）");
    }
    rc = cal_text(v->title, 1, 200, "title", "事项名称", e);
    if (rc == 0) {
        rc = cal_text(v->source, 1, 500, "source", "依据文件", e);
    }
    if (rc) {
        return rc;
    }
    sdate[0] = '\0';
    if (v->source_date && *v->source_date) {
        if (strlen(v->source_date) != 10 ||
            date_parse(v->source_date, &d, NULL, NULL) != 0) {
            return err_set(e, ERR_INVALID, "source_date",
                           "依据日期应为 YYYY-MM-DD，如 2016-01-29");
        }
        date_format_iso(d, sdate);
    }
    if (!labels_verify_status(v->status)) {
        return labels_refuse(e, "status", "状态", labels_verify_statuses_json(),
                             NULL);
    }
    return 0;
}

static json_t *cal_rule_fields(const QualCalRuleInput *v, const char *sdate)
{
    json_t *o =
        json_pack("{sIsssssssbss}", "offset_days", (json_int_t)v->offset_days,
                  "title", v->title, "source", v->source, "status", v->status,
                  "enabled", v->enabled, "source_date", sdate);

    json_object_set_new(o, "month",
                        v->month ? json_integer(v->month) : json_null());
    json_object_set_new(o, "day", v->day ? json_integer(v->day) : json_null());
    return o;
}

int qual_cal_rule_create(Db *db, const Actor *a, const QualCalRuleInput *in,
                         int64_t *id, Err *e)
{
    char sdate[DATE_ISO_SIZE], code[80];
    QualCalRuleInput v;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int64_t n = 0;
    int rc;

    *id = 0;
    rc = cal_rule_check(in, NULL, &v, sdate, e);
    if (rc) {
        return rc;
    }
    snprintf(code, sizeof code, "%s.%s", v.kind, v.event);
    rc = db_query_int64(db, &n, e, "SELECT COUNT(*) FROM calendar_rules", "");
    if (rc == 0 && n >= CAL_RULES_MAX) {
        return err_set(e, ERR_TOOBIG, NULL, "提醒规则最多 %d 条",
                       CAL_RULES_MAX);
    }
    if (rc == 0) {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM calendar_rules WHERE code = "
                            "$1",
                            "t", code);
    }
    if (rc == 0 && n) {
        return err_set(e, ERR_CONFLICT, "event",
                       "“%s”已有这一事项的规则（%s），请修改该规则", v.kind,
                       code);
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "INSERT INTO calendar_rules (code, kind, event, anchor, "
            "offset_days, month, day, title, source, source_date, status, "
            "enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            "$12) RETURNING id",
            "ttttipptttti", code, v.kind, v.event, v.anchor, v.offset_days,
            v.month ? &v.month : NULL, v.day ? &v.day : NULL, v.title, v.source,
            sdate[0] ? sdate : NULL, v.status, (int64_t)(v.enabled ? 1 : 0));
        if (rc == 0) {
            rc = db_step(st, e);
            if (rc == DB_ROW) {
                *id = db_col_int64(st, 0);
                rc = 0;
            } else if (rc == DB_DONE) {
                rc = err_set(e, ERR_DB, NULL, "服务器内部错误");
            }
        }
        db_finalize(st);
    }
    if (rc == 0) {
        after = cal_rule_fields(&v, sdate);
        json_object_set_new(after, "code", json_string(code));
        json_object_set_new(after, "anchor", json_string(v.anchor));
        rc = audit_record(db, a, "qual.cal_rule_create", "calendar_rule", *id,
                          NULL, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id = 0;
    }
    json_decref(after);
    return rc;
}

int qual_cal_rule_update(Db *db, const Actor *a, int64_t id,
                         const QualCalRuleInput *in, Err *e)
{
    char sdate[DATE_ISO_SIZE], bdate[DATE_ISO_SIZE];
    QualCalRuleInput v, b;
    json_t *cur = NULL, *before = NULL, *after = NULL;
    int rc;

    rc = cal_rule_read(db, id, &cur, e);
    if (rc == 0) {
        rc = cal_rule_check(in, cur, &v, sdate, e);
    }
    if (rc) {
        json_decref(cur);
        return rc;
    }
    {
        QualCalRuleInput none;
        Err ign;
        memset(&none, 0, sizeof none);
        err_clear(&ign);
        if (cal_rule_check(&none, cur, &b, bdate, &ign) != 0) {
            snprintf(
                bdate, sizeof bdate, "%s",
                json_string_value(json_object_get(cur, "source_date"))
                    ? json_string_value(json_object_get(cur, "source_date"))
                    : "");
        }
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE calendar_rules SET offset_days = $1, month = "
                       "$2, day = $3, title = $4, source = $5, source_date = "
                       "$6, status = $7, enabled = $8 WHERE id = $9",
                       "ippttttii", v.offset_days, v.month ? &v.month : NULL,
                       v.day ? &v.day : NULL, v.title, v.source,
                       sdate[0] ? sdate : NULL, v.status,
                       (int64_t)(v.enabled ? 1 : 0), id);
    }
    if (rc == 0) {
        before = cal_rule_fields(&b, bdate);
        after = cal_rule_fields(&v, sdate);
        rc = audit_record(db, a, "qual.cal_rule_update", "calendar_rule", id,
                          NULL, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}
