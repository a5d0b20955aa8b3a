/* labels.h - the zh-CN names of the codes the system records: audit
 * actions, audited object types and the fields of records (as they appear
 * in audit diffs, API error bodies and exports).
 *
 * One table, used everywhere: audit_record refuses an action or object
 * type that has no name here (so no raw code reaches a user), the audit
 * export writes the names, error messages name fields through
 * labels_field, and GET /api/v1/reference/labels serves the same table to
 * the UI, which keeps no copy of its own. Field names not listed here fall
 * back to the import/export column registry (xfer.h) and the yearly
 * figures (ent_year.h), whose titles are the same names users see in
 * templates. Static tables; thread-safe. */
#ifndef KC_DOMAIN_LABELS_H
#define KC_DOMAIN_LABELS_H

#include <jansson.h>

/* The name of audit action code ("ent.create" -> "新建企业"), or NULL. */
const char *labels_action(const char *code);

/* The name of an audited object type ("enterprise" -> "企业"), or NULL. */
const char *labels_object_type(const char *code);

/* The name of a record field ("counts_valid" -> "计入有效数量"), or NULL.
 * Unit suffixes of column titles ("（万元）") are left out: diffs and
 * messages show stored values. */
const char *labels_field(const char *key);

/* labels_field, or key itself when it has no name. */
const char *labels_field_or_key(const char *key);

/* {"actions": [{"value", "label"}], "object_types": [...],
 *  "fields": {key: label}} — a new reference (caller decrefs). */
json_t *labels_json(void);

#endif
