/* api_calrules.c - the rules of the compliance calendar (到期提醒规则):
 * list for everyone, add and change for administrators
 * (src/domain/qual/qual_cal_rules.c). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "domain/qual/qual_cal.h"

int api_cal_rules_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc = qual_cal_rules_all(c->db, &items, e);

    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{so}", "items", items));
}

/* month and day: integers, or null / absent for none. */
static int cal_md(Ctx *c, const char *k, int64_t *out, int *present, Err *e)
{
    json_t *v = json_object_get(c->json, k);

    if (!v) {
        return 0;
    }
    *present = 1;
    if (json_is_null(v)) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > 31) {
        return err_set(e, ERR_INVALID, k,
                       strcmp(k, "month") == 0 ? "月份应为 1–12 的整数"
                                               : "日应为 1–31 的整数");
    }
    *out = json_integer_value(v);
    return 0;
}

/* The body's fields; create: kind, event, anchor too. */
static int cal_input(Ctx *c, int create, QualCalRuleInput *in, Err *e)
{
    static const char *const fields[] = {
        "kind",  "event",  "anchor",      "offset_days", "month",   "day",
        "title", "source", "source_date", "status",      "enabled", NULL};
    int pm = 0, pd = 0, rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0 && create) {
        rc = ctx_json_str(c, "kind", 1, 32, &in->kind, NULL, e);
    }
    if (rc == 0 && create) {
        rc = ctx_json_str(c, "event", 1, 32, &in->event, NULL, e);
    }
    if (rc == 0 && create) {
        rc = ctx_json_str(c, "anchor", 1, 16, &in->anchor, NULL, e);
    }
    if (rc == 0 && !create &&
        (json_object_get(c->json, "kind") ||
         json_object_get(c->json, "event") ||
         json_object_get(c->json, "anchor"))) {
        rc = err_set(e, ERR_INVALID, "kind",
                     "资质类型、事项和日期依据不能修改；请新增一条规则并停用"
                     "这一条");
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "offset_days", 0, -100000, 100000,
                          &in->offset_days, &in->has_offset, e);
    }
    if (rc == 0) {
        rc = cal_md(c, "month", &in->month, &pm, e);
    }
    if (rc == 0) {
        rc = cal_md(c, "day", &in->day, &pd, e);
    }
    if (rc == 0 && pm != pd) {
        rc = err_set(e, ERR_INVALID, pm ? "day" : "month", "月和日须同时给出");
    }
    in->has_month_day = pm;
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 0, 200, &in->title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "source", 0, 500, &in->source, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "source_date", 0, 10, &in->source_date, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "status", 0, 16, &in->status, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "enabled", 0, &in->enabled, &in->has_enabled, e);
    }
    if (rc == 0 && create && !in->has_offset) {
        in->has_offset = 1;
    }
    if (rc == 0 && create && !in->status) {
        in->status = "unverified";
    }
    return rc;
}

int api_cal_rules_create(Ctx *c, Err *e)
{
    QualCalRuleInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc = cal_input(c, 1, &in, e);

    if (rc == 0) {
        rc = qual_cal_rule_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = qual_cal_rule_get(c->db, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_cal_rules_update(Ctx *c, Err *e)
{
    QualCalRuleInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc = ctx_param_id(c, "rule_id", &id, e);

    if (rc == 0) {
        rc = cal_input(c, 0, &in, e);
    }
    if (rc == 0) {
        rc = qual_cal_rule_update(c->db, &c->actor, id, &in, e);
    }
    if (rc == 0) {
        rc = qual_cal_rule_get(c->db, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}
