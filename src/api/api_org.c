/* api_org.c - the organisation tree. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "domain/accounts/org.h"

int api_org_list(Ctx *c, Err *e)
{
    const char *inc = ctx_query(c, "include_retired");
    json_t *items = NULL;
    int include = 0;
    int rc;

    if (inc && *inc) {
        if (strcmp(inc, "true") == 0 || strcmp(inc, "1") == 0) {
            include = 1;
        } else if (strcmp(inc, "false") != 0 && strcmp(inc, "0") != 0) {
            return err_set(e, ERR_INVALID, "include_retired",
                           "参数 include_retired 应为 true 或 false");
        }
    }
    rc = org_list(c->db, &c->actor, include, &items, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_org_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"parent_id", "name", "kind",
                                         "code",      "sort", NULL};
    json_t *unit = NULL;
    OrgInput in;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_int(c, "parent_id", 1, 1, INT64_MAX, &in.parent_id, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, ORG_NAME_MAX, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 0, 16, &in.kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "code", 0, ORG_CODE_MAX, &in.code, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "sort", 0, -1000000, 1000000, &in.sort, NULL, e);
    }
    if (rc == 0) {
        rc = org_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = org_get(c->db, &c->actor, id, &unit, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, unit);
}

int api_org_get(Ctx *c, Err *e)
{
    json_t *unit = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = org_get(c->db, &c->actor, id, &unit, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, unit);
}

int api_org_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {
        "name",      "kind",    "code",          "sort",
        "parent_id", "retired", "retire_reason", NULL};
    json_t *unit = NULL;
    const char *reason = NULL;
    OrgUpdate u;
    int retired = 0;
    int has_retired = 0;
    int64_t id;
    int rc;

    memset(&u, 0, sizeof u);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 0, ORG_NAME_MAX, &u.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 0, 16, &u.kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "code", 0, ORG_CODE_MAX, &u.code, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "sort", 0, -1000000, 1000000, &u.sort, &u.has_sort,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "parent_id", 0, 1, INT64_MAX, &u.parent_id,
                          &u.has_parent, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "retired", 0, &retired, &has_retired, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "retire_reason", 0, ORG_REASON_MAX, &reason, NULL,
                          e);
    }
    if (rc) {
        return rc;
    }
    if (has_retired && !retired) {
        return err_set(e, ERR_INVALID, "retired", "已撤销的单位不能恢复");
    }
    if (has_retired && (!reason || !*reason)) {
        return err_set(e, ERR_INVALID, "retire_reason", "撤销单位须填写原因");
    }
    if (!has_retired && reason) {
        return err_set(e, ERR_INVALID, "retire_reason",
                       "只有撤销单位（retired: true）时才填写原因");
    }
    if (has_retired) {
        u.retire_reason = reason;
    }
    rc = org_update(c->db, &c->actor, id, &u, e);
    if (rc == 0) {
        rc = org_get(c->db, &c->actor, id, &unit, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, unit);
}
