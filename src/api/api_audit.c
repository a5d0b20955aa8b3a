/* api_audit.c - the audit log: list with filters, export, one entry. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api_export.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/accounts/org.h"
#include "domain/cultivation/pipeline.h"
#include "domain/cultivation/service.h"
#include "domain/io/fieldname.h"
#include "domain/market/contract.h"
#include "domain/plan/plan_kind.h"
#include "domain/policy/policy.h"

static int api_audit_filter(Ctx *c, AuditFilter *f, Err *e)
{
    const char *uid = ctx_query(c, "user_id");
    int rc;

    memset(f, 0, sizeof *f);
    if (uid && *uid) {
        rc = ctx_query_int(c, "user_id", 0, -1, INT64_MAX, &f->user_id, e);
        if (rc) {
            return rc;
        }
        f->has_user_id = 1;
    }
    rc = ctx_query_int(c, "object_id", 0, 0, INT64_MAX, &f->object_id, e);
    if (rc) {
        return rc;
    }
    f->action = ctx_query(c, "action");
    f->object_type = ctx_query(c, "object_type");
    if ((f->action && strlen(f->action) > 64) ||
        (f->object_type && strlen(f->object_type) > 64)) {
        return err_set(e, ERR_INVALID,
                       f->action && strlen(f->action) > 64 ? "action"
                                                           : "object_type",
                       "筛选条件过长");
    }
    f->from = ctx_query(c, "from");
    f->to = ctx_query(c, "to");
    f->sort = ctx_query(c, "sort");
    return audit_filter_check(f, e);
}

/* Export state: the table and a row counter. */
typedef struct ApiAuditOut {
    ApiExport x;
} ApiAuditOut;

static int api_audit_row(void *ud, const AuditRow *r)
{
    ApiAuditOut *o = ud;
    char id[24];
    char uid[24];
    char oid[24];
    const char *cells[11];
    Err e;

    snprintf(id, sizeof id, "%lld", (long long)r->id);
    snprintf(uid, sizeof uid, "%lld", (long long)r->user_id);
    snprintf(oid, sizeof oid, "%lld", (long long)r->object_id);
    cells[0] = id;
    cells[1] = r->at;
    cells[2] = r->has_user_id ? uid : NULL;
    cells[3] = r->username;
    cells[4] = r->addr;
    /* names, as on the page (labels.h); a code without one as it is */
    cells[5] = labels_action(r->action) ? labels_action(r->action) : r->action;
    cells[6] = labels_object_type(r->object_type)
                   ? labels_object_type(r->object_type)
                   : r->object_type;
    cells[7] = oid;
    cells[8] = r->unit_path;
    cells[9] = r->before_json;
    cells[10] = r->after_json;
    return api_export_row(&o->x, cells, &e);
}

static int api_audit_export(Ctx *c, int format, const AuditFilter *f, Err *e)
{
    static const char *const titles[] = {
        "编号",     "时间",     "用户编号", "用户名", "地址",  "操作",
        "对象类型", "对象编号", "单位路径", "修改前", "修改后"};
    static const unsigned char numeric[] = {
        API_COL_INT,  API_COL_TIME, API_COL_INT,  API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_INT,
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT};
    ApiAuditOut o;
    int rc;

    rc = api_export_begin(&o.x, format, titles, numeric, 11, "审计日志", e);
    if (rc) {
        api_export_release(&o.x);
        return rc;
    }
    rc = audit_export(c->db, &c->actor, f, AUDIT_EXPORT_MAX, api_audit_row, &o,
                      e);
    if (rc) {
        if (rc == ERR_TOOBIG && !e->msg[0]) {
            err_set(e, ERR_TOOBIG, "format", "导出内容过大");
        }
        api_export_release(&o.x);
        return rc;
    }
    return api_export_reply(c, &o.x, "审计日志", e);
}

int api_audit_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    AuditFilter f;
    int format = 0;
    Page p;
    int rc;

    rc = api_audit_filter(c, &f, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        return api_audit_export(c, format, &f, e);
    }
    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = audit_list(c->db, &c->actor, &f, p.offset, p.size, &items, &total,
                        e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

int api_audit_get(Ctx *c, Err *e)
{
    json_t *entry = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = audit_get(c->db, &c->actor, id, &entry, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, entry);
}

int api_labels_reference(Ctx *c, Err *e)
{
    json_t *o = fieldname_labels_json();
    json_t *roles = json_array();
    json_t *plan_kinds = json_array();
    json_t *cref;

    (void)e;
    /* the code tables pages of several capabilities show, each from the
     * one C table that names those codes everywhere else */
    for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++) {
        json_array_append_new(roles,
                              json_pack("{sssssb}", "value", role_code(r),
                                        "label", role_name(r), "writes",
                                        perm_allows(r, PERM_WRITE)));
    }
    json_object_set_new(o, "roles", roles);
    for (int k = PLAN_KIND_STOCK; k <= PLAN_KIND_RATIO; k++) {
        json_array_append_new(plan_kinds,
                              json_pack("{ssssss}", "value", plan_kind_code(k),
                                        "label", plan_kind_name(k), "hint",
                                        plan_kind_hint(k)));
    }
    json_object_set_new(o, "unit_kinds", org_kinds_json());
    json_object_set_new(o, "service_kinds", service_kinds_json());
    json_object_set_new(o, "pipeline_actions", pipe_actions_json());
    json_object_set_new(o, "task_statuses", pipe_task_statuses_json());
    json_object_set_new(o, "ask_statuses", service_ask_statuses_json());
    json_object_set_new(o, "policy_statuses", policy_statuses_json());
    json_object_set_new(o, "plan_indicator_kinds", plan_kinds);
    /* field names of one object type where they differ from the generic
     * ones ("field" of a contract is its 技术领域): the contract's own
     * table, the record_fields of GET /reference/contracts */
    cref = contract_reference_json();
    json_object_set_new(
        o, "object_fields",
        json_pack("{sO}", "contract", json_object_get(cref, "record_fields")));
    json_decref(cref);
    return ctx_reply_json(c, 200, o);
}
