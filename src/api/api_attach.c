/* api_attach.c - files attached to records: list, upload, download,
 * delete (domain/attach). Who may read or add is the owner record's rule,
 * asked here through the table below; the file's unit is the owner's. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/attach/attach.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_task.h"
#include "domain/policy/policy.h"

typedef int (*AttachScope)(Db *db, const Actor *a, int64_t owner_id, int write,
                           char path[ACTOR_PATH_MAX], Err *e);

static const struct {
    const char *type;
    AttachScope scope;
} api_attach_owners[] = {
    {ATTACH_PLAN_REPORT, plan_report_attach_scope},
    {ATTACH_PLAN_ACTUAL, plan_actual_attach_scope},
    {ATTACH_POLICY_APP, policy_app_attach_scope},
};

/* The owner's rule for (type, id): path gets its unit's path. */
static int api_attach_owner(Ctx *c, const char *type, int64_t id, int write,
                            char path[ACTOR_PATH_MAX], Err *e)
{
    for (size_t i = 0;
         type && i < sizeof api_attach_owners / sizeof api_attach_owners[0];
         i++) {
        if (strcmp(api_attach_owners[i].type, type) == 0) {
            return api_attach_owners[i].scope(c->db, &c->actor, id, write, path,
                                              e);
        }
    }
    return err_set(e, ERR_INVALID, "owner_type",
                   "owner_type 应为 plan_report（任务报送）、plan_actual"
                   "（指标填报）或 policy_application（政策申请）");
}

/* ?owner_type=&owner_id= checked against the owner's rule. */
static int api_attach_query_owner(Ctx *c, int write, const char **type,
                                  int64_t *id, char path[ACTOR_PATH_MAX],
                                  Err *e)
{
    int rc;

    *type = ctx_query(c, "owner_type");
    rc = ctx_query_int(c, "owner_id", 0, 1, INT64_MAX, id, e);
    if (rc == 0 && *id == 0) {
        rc = err_set(e, ERR_INVALID, "owner_id", "缺少 owner_id");
    }
    if (rc == 0) {
        rc = api_attach_owner(c, *type, *id, write, path, e);
    }
    return rc;
}

int api_attach_list(Ctx *c, Err *e)
{
    char path[ACTOR_PATH_MAX];
    const char *type = NULL;
    json_t *items = NULL;
    int64_t id = 0;
    int rc;

    rc = api_attach_query_owner(c, 0, &type, &id, path, e);
    if (rc == 0) {
        rc = attach_list(c->db, type, id, &items, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_attach_create(Ctx *c, Err *e)
{
    char path[ACTOR_PATH_MAX];
    const char *type = NULL;
    const char *name = ctx_query(c, "file_name");
    const char *data = NULL;
    size_t len = 0;
    int64_t owner = 0;
    int64_t id = 0;
    int rc;

    rc = api_attach_query_owner(c, 1, &type, &owner, path, e);
    if (rc == 0 && (!name || !*name)) {
        rc = err_set(e, ERR_INVALID, "file_name", "缺少文件名（file_name）");
    }
    if (rc == 0) {
        rc = ctx_body_bytes(c, ATTACH_MAX_BYTES, &data, &len, e);
    }
    if (rc == 0) {
        rc = attach_add(c->db, &c->actor, type, owner, path, name, data, len,
                        &id, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, json_pack("{sI}", "id", (json_int_t)id));
}

/* The file {id} if the actor may read (or write) its owner. */
static int api_attach_by_id(Ctx *c, int write, AttachInfo *info, Err *e)
{
    char path[ACTOR_PATH_MAX];
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = attach_info(c->db, id, info, e);
    }
    if (rc == 0) {
        rc = api_attach_owner(c, info->owner_type, info->owner_id, write, path,
                              e);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_NOTFOUND, "id", "附件不存在");
        }
    }
    return rc;
}

int api_attach_content(Ctx *c, Err *e)
{
    AttachInfo info;
    void *data = NULL;
    size_t len = 0;
    int rc;

    rc = api_attach_by_id(c, 0, &info, e);
    if (rc == 0) {
        rc = attach_content(c->db, info.id, &data, &len, e);
    }
    if (rc == 0) {
        rc = ctx_reply_bytes(c, 200, info.mime, data, len, info.name);
    }
    free(data);
    return rc;
}

int api_attach_delete(Ctx *c, Err *e)
{
    AttachInfo info;
    int rc;

    rc = api_attach_by_id(c, 1, &info, e);
    if (rc == 0) {
        rc =
            attach_delete(c->db, &c->actor, info.id, ctx_query(c, "reason"), e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}
