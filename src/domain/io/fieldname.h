/* fieldname.h - the zh-CN name of a record field, as users see it in
 * audit diffs, API error messages and exports: the names listed in
 * accounts/labels.c win; any other key takes the title of its
 * import/export column (columns.h, without the unit suffix "（万元）") or of
 * its yearly figure (ent_year.h), the same names users see in templates.
 * GET /api/v1/reference/labels serves the whole table to the UI, which
 * keeps no copy. Static tables; thread-safe. */
#ifndef KC_DOMAIN_IO_FIELDNAME_H
#define KC_DOMAIN_IO_FIELDNAME_H

#include <jansson.h>

/* The name of a record field ("counts_valid" -> "计入有效知识产权"), or
 * NULL. */
const char *fieldname_of(const char *key);

/* fieldname_of, or key itself when it has no name. */
const char *fieldname_or_key(const char *key);

/* labels_json() with every named field: {"actions": [...],
 * "object_types": [...], "fields": {key: label}} (caller decrefs). */
json_t *fieldname_labels_json(void);

#endif
