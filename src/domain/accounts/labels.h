/* labels.h - the zh-CN names of the codes the system records: audit
 * actions, audited object types and the fields of records (as they appear
 * in audit diffs, API error bodies and exports).
 *
 * One table, used everywhere: audit_record refuses an action or object
 * type that has no name here (so no raw code reaches a user), the audit
 * export writes the names, error messages name fields through
 * fieldname_of (io/fieldname.h: these field names, then the titles of the
 * import/export columns and yearly figures), and GET
 * /api/v1/reference/labels serves the whole table to the UI, which keeps
 * no copy of its own. It also names the statuses of records that more than
 * one capability shows (policy applications: the policy pages and the
 * carriers' listing subsidies), the statuses of plan tasks, their
 * progress reports and reported indicator values (the plan pages name them
 * from here; the plan code checks codes against these tables) and the
 * sources of recorded values (src_kind). Static tables; thread-safe. */
#ifndef KC_DOMAIN_LABELS_H
#define KC_DOMAIN_LABELS_H

#include <jansson.h>

#include "base/err.h"

/* The name of audit action code ("ent.create" -> "新建企业"), or NULL. */
const char *labels_action(const char *code);

/* The name of an audited object type ("enterprise" -> "企业"), or NULL. */
const char *labels_object_type(const char *code);

/* The name this table gives a record field, or NULL. Most field names
 * come from the column registry: use fieldname_of (io/fieldname.h). */
const char *labels_field(const char *key);

/* The name of a policy application status ("submitted" ->
 * "已受理（待初审）"), or NULL. */
const char *labels_policy_app_status(const char *code);

/* The name of a plan task status ("at_risk" -> "有风险"), of a task's
 * progress report status ("consolidated" -> "已汇总待审核") and of a
 * reported indicator value's status ("submitted" -> "待审核"); NULL for
 * a code that is not one. */
const char *labels_plan_task_status(const char *code);
const char *labels_plan_report_status(const char *code);
const char *labels_plan_actual_status(const char *code);

/* The name of a rule set's or calendar rule's check status ("confirmed"
 * -> "已核实", "unverified" -> "未核实"); NULL for another code. */
const char *labels_verify_status(const char *code);

/* The verify statuses as served ([{"value", "label"}], a new reference;
 * caller decrefs): labels_refuse lists them. */
json_t *labels_verify_statuses_json(void);

/* Refuse a value of field (API name) that is not one of the codes of the
 * served code table `table` ([{"value", "label"}], stolen: this function
 * decrefs it): fills e with ERR_INVALID and a message built from the
 * table, "<what>应为 进行中（open）、已完成（done）或 已取消（dropped）",
 * so a code added to the table is named in the message too. what names
 * the field ("状态"); tail (may be NULL) is appended ("（取消请用…）").
 * Returns ERR_INVALID. */
int labels_refuse(Err *e, const char *field, const char *what, json_t *table,
                  const char *tail);

/* {"actions": [{"value", "label"}], "object_types": [...],
 *  "fields": {key: label}, "policy_app_statuses": [{"value", "label"}],
 *  "plan_task_statuses", "plan_report_statuses",
 *  "plan_actual_statuses", "verify_statuses": [{"value", "label"}]} of
 *  this table only — a new
 * reference (caller decrefs). fieldname_labels_json adds the column titles. */
json_t *labels_json(void);

/* The name of a record's source (src_kind: "user" -> "用户填报"); "" for
 * none, "系统" for an unknown code. */
const char *labels_source(const char *code);

/* [{"code", "name"}] of the sources, for GET /reference/enterprise (a new
 * reference; caller decrefs). */
json_t *labels_sources_json(void);

#endif
