/* org.h - the organisation tree (区 → 街道 / 镇 / 园区 → 社区, 部门).
 *
 * Units carry a materialized path of ids ("/1/4/") that defines data scope.
 * Units are never deleted: they are retired with a reason. Every write runs
 * in one transaction with its audit entry; reads and writes are limited to
 * the actor's scope (a unit outside it is reported as missing). */
#ifndef KC_DOMAIN_ORG_H
#define KC_DOMAIN_ORG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define ORG_NAME_MAX 64    /* characters */
#define ORG_CODE_MAX 32    /* characters of the 行政区划/统计 code */
#define ORG_REASON_MAX 200 /* characters of a retire reason */
#define ORG_DEPTH_MAX 8    /* levels below the root */

/* Kind codes and their zh-CN names: district 区, subdistrict 街道, town 镇,
 * park 园区, community 社区, dept 部门, other 其他. */
const char *org_kind_name(const char *kind);
int org_kind_valid(const char *kind);
/* [{"value", "label"}] of the kinds, in this order (GET
 * /reference/labels; a new reference, caller decrefs). */
json_t *org_kinds_json(void);

/* Create the root unit (区) of an empty tree. ERR_CONFLICT when a root
 * exists. */
int org_create_root(Db *db, const Actor *a, const char *name, int64_t *id_out,
                    Err *e);

typedef struct OrgInput {
    int64_t parent_id;
    const char *name;
    const char *kind; /* NULL = "other" */
    const char *code; /* NULL or "" = none */
    int64_t sort;
} OrgInput;

/* Create a unit under in->parent_id (in scope, not retired). */
int org_create(Db *db, const Actor *a, const OrgInput *in, int64_t *id_out,
               Err *e);

/* The unit as JSON (new reference, caller decrefs); ERR_NOTFOUND when
 * missing or out of scope. */
int org_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Units in scope ordered by path, each with "depth" (0 = root); retired
 * ones only when include_retired. *items: new array, caller decrefs. */
int org_list(Db *db, const Actor *a, int include_retired, json_t **items,
             Err *e);

/* Changes to one unit; NULL / has_* = 0 leaves a part unchanged. */
typedef struct OrgUpdate {
    const char *name;
    const char *kind;
    const char *code; /* "" clears */
    int has_sort;
    int64_t sort;
    int has_parent;
    int64_t parent_id;         /* move under this unit */
    const char *retire_reason; /* non-NULL: retire with this reason */
} OrgUpdate;

/* Apply u in one transaction with one audit entry ("org.update",
 * "org.move" or "org.retire" by what changed). */
int org_update(Db *db, const Actor *a, int64_t id, const OrgUpdate *u, Err *e);

/* Shorthands of org_update. */
int org_rename(Db *db, const Actor *a, int64_t id, const char *name, Err *e);
int org_move(Db *db, const Actor *a, int64_t id, int64_t new_parent_id, Err *e);
int org_retire(Db *db, const Actor *a, int64_t id, const char *reason, Err *e);

/* Path of a unit ("/1/4/") and whether it is retired; ERR_NOTFOUND when
 * there is no such unit (scope is not checked). */
int org_path(Db *db, int64_t id, char *path, size_t cap, int *retired, Err *e);

/* Path of the root unit, or "/" when there is none. */
void org_root_path(Db *db, char *path, size_t cap);

#endif
