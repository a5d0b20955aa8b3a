/* ent_json.h - JSON of enterprise columns, shared by the record (ent.c)
 * and the list (ent_list.c); internal to src/domain/library. */
#ifndef KC_DOMAIN_ENT_JSON_H
#define KC_DOMAIN_ENT_JSON_H

#include <jansson.h>

#include "db/db.h"

/* Text / integer column (null when NULL). */
json_t *ent_text_json(DbStmt *st, int col);
json_t *ent_int_json(DbStmt *st, int col);
/* Money column as an exact 万元 string (or null). */
json_t *ent_wan_json(DbStmt *st, int col);
/* industry_code with its 门类 and 大类 names into o. */
void ent_industry_json(json_t *o, const char *code);

#endif
