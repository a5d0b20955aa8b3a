/* api_users.c - user accounts. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api_export.h"
#include "base/secret.h"
#include "domain/accounts/user.h"

/* Role from a JSON field holding its code; 0 when absent. */
static int api_users_role(Ctx *c, const char *field, int required, int *out,
                          Err *e)
{
    const char *code = NULL;
    int present = 0;
    int rc;

    *out = 0;
    rc = ctx_json_str(c, field, required, 16, &code, &present, e);
    if (rc || !present) {
        return rc;
    }
    *out = role_from_code(code);
    if (*out == ROLE_NONE) {
        return err_set(e, ERR_INVALID, field,
                       "角色应为 admin、staff、leader、agent 或 dept");
    }
    return 0;
}

/* Filters of the list and the export from the query string. */
static int api_users_filter(Ctx *c, UserFilter *f, Err *e)
{
    const char *role = ctx_query(c, "role");
    const char *dis = ctx_query(c, "disabled");
    int rc;

    memset(f, 0, sizeof *f);
    f->disabled = -1;
    rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f->unit_id, e);
    if (rc) {
        return rc;
    }
    if (role && *role) {
        f->role = role_from_code(role);
        if (f->role == ROLE_NONE) {
            return err_set(e, ERR_INVALID, "role",
                           "角色应为 admin、staff、leader、agent 或 dept");
        }
    }
    if (dis && *dis) {
        if (strcmp(dis, "true") == 0 || strcmp(dis, "1") == 0) {
            f->disabled = 1;
        } else if (strcmp(dis, "false") == 0 || strcmp(dis, "0") == 0) {
            f->disabled = 0;
        } else {
            return err_set(e, ERR_INVALID, "disabled",
                           "参数 disabled 应为 true 或 false");
        }
    }
    f->q = ctx_query(c, "q");
    if (f->q && strlen(f->q) > (size_t)USER_QUERY_MAX * 4) {
        return err_set(e, ERR_INVALID, "q", "查询文字过长");
    }
    f->sort = ctx_query(c, "sort");
    return user_filter_check(f, e);
}

static const char *api_users_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

static int api_users_export(Ctx *c, int format, const UserFilter *f, Err *e)
{
    static const char *const titles[] = {"编号",     "用户名",  "姓名",
                                         "角色",     "单位",    "状态",
                                         "创建时间", "最近登录"};
    static const unsigned char numeric[] = {1, 0, 0, 0, 0, 0, 0, 0};
    json_t *items = NULL;
    json_t *u;
    int64_t total = 0;
    ApiExport x;
    size_t i;
    int rc;

    rc = user_list(c->db, &c->actor, f, 0, -1, &items, &total, e);
    if (rc) {
        return rc;
    }
    rc = api_export_begin(&x, format, titles, numeric, 8, "用户", e);
    if (rc) {
        goto out;
    }
    json_array_foreach(items, i, u)
    {
        const char *cells[8];
        char id[24];

        snprintf(id, sizeof id, "%lld",
                 (long long)json_integer_value(json_object_get(u, "id")));
        cells[0] = id;
        cells[1] = api_users_str(u, "username");
        cells[2] = api_users_str(u, "display_name");
        cells[3] = api_users_str(u, "role_name");
        cells[4] = api_users_str(u, "unit_name");
        cells[5] =
            json_is_true(json_object_get(u, "disabled")) ? "停用" : "启用";
        cells[6] = api_users_str(u, "created_at");
        cells[7] = api_users_str(u, "last_login_at");
        rc = api_export_row(&x, cells, e);
        if (rc) {
            api_export_release(&x);
            goto out;
        }
    }
    rc = api_export_reply(c, &x, "用户", e);
out:
    json_decref(items);
    return rc;
}

int api_users_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    UserFilter f;
    int format = 0;
    Page p;
    int rc;

    rc = api_users_filter(c, &f, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        return api_users_export(c, format, &f, e);
    }
    rc = ctx_page(c, &p, e);
    if (rc) {
        return rc;
    }
    rc = user_list(c->db, &c->actor, &f, p.offset, p.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

/* GET /api/v1/user-lookup: the users a writer may pick (包联人员, task
 * owners): active users of the units in the caller's scope, with their
 * name and unit only (no username, role, contact or password data), so
 * that roles without the audit permission can fill those fields. */
int api_users_lookup(Ctx *c, Err *e)
{
    json_t *items = NULL, *out = NULL, *it;
    int64_t total = 0;
    UserFilter f;
    size_t i;
    Page p;
    int rc;

    memset(&f, 0, sizeof f);
    f.disabled = 0;
    f.sort = "display_name";
    rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    if (rc == 0) {
        f.q = ctx_query(c, "q");
        if (f.q && strlen(f.q) > (size_t)USER_QUERY_MAX * 4) {
            rc = err_set(e, ERR_INVALID, "q", "查询文字过长");
        }
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = user_list(c->db, &c->actor, &f, p.offset, p.size, &items, &total,
                       e);
    }
    if (rc) {
        return rc;
    }
    out = json_array();
    json_array_foreach(items, i, it)
    {
        json_array_append_new(
            out, json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(it, "id"),
                           "display_name", json_object_get(it, "display_name"),
                           "unit_id", json_object_get(it, "unit_id"),
                           "unit_name", json_object_get(it, "unit_name")));
    }
    json_decref(items);
    return ctx_reply_page(c, out, total, &p);
}

int api_users_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {
        "username", "display_name",         "password", "role",
        "unit_id",  "must_change_password", NULL};
    char generated[17];
    json_t *pwv;
    json_t *user = NULL;
    UserInput in;
    int64_t id = 0;
    int must = 1;
    int present = 0;
    int rc;

    memset(&in, 0, sizeof in);
    generated[0] = '\0';
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "username", 1, USER_NAME_MAX, &in.username, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "display_name", 0, USER_DISPLAY_MAX,
                          &in.display_name, NULL, e);
    }
    if (rc == 0) {
        rc = api_users_role(c, "role", 1, &in.role, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 1, 1, INT64_MAX, &in.unit_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "must_change_password", 0, &must, &present, e);
    }
    if (rc) {
        return rc;
    }
    pwv = json_object_get(c->json, "password");
    if (pwv && !json_is_null(pwv)) {
        if (!json_is_string(pwv)) {
            return err_set(e, ERR_INVALID, "password",
                           "字段 password 应为字符串");
        }
        in.password = json_string_value(pwv);
    } else {
        /* No password given: generate one, shown once in the answer. */
        secret_random_password(generated, 16);
        in.password = generated;
    }
    in.must_change_password = must;
    rc = user_create(c->db, &c->actor, &in, &id, e);
    if (rc == 0) {
        rc = user_get(c->db, &c->actor, id, &user, e);
    }
    if (rc) {
        return rc;
    }
    if (generated[0]) {
        json_object_set_new(user, "initial_password", json_string(generated));
    }
    return ctx_reply_json(c, 201, user);
}

int api_users_get(Ctx *c, Err *e)
{
    json_t *user = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = user_get(c->db, &c->actor, id, &user, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, user);
}

int api_users_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"display_name", "role", "unit_id",
                                         "disabled", NULL};
    json_t *user = NULL;
    UserUpdate u;
    int64_t id;
    int rc;

    memset(&u, 0, sizeof u);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "display_name", 0, USER_DISPLAY_MAX,
                          &u.display_name, NULL, e);
    }
    if (rc == 0) {
        rc = api_users_role(c, "role", 0, &u.role, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 1, INT64_MAX, &u.unit_id,
                          &u.has_unit, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "disabled", 0, &u.disabled, &u.has_disabled, e);
    }
    if (rc == 0) {
        rc = user_update(c->db, &c->actor, id, &u, e);
    }
    if (rc == 0) {
        rc = user_get(c->db, &c->actor, id, &user, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, user);
}

int api_users_reset_password(Ctx *c, Err *e)
{
    static const char *const fields[] = {"password", "must_change_password",
                                         NULL};
    char generated[17];
    const char *pw;
    json_t *pwv = NULL;
    int must = 1;
    int64_t id;
    int rc;

    generated[0] = '\0';
    rc = ctx_param_id(c, "id", &id, e);
    if (rc) {
        return rc;
    }
    if (c->json) {
        rc = ctx_json_fields(c, fields, e);
        if (rc == 0) {
            rc = ctx_json_bool(c, "must_change_password", 0, &must, NULL, e);
        }
        if (rc) {
            return rc;
        }
        pwv = json_object_get(c->json, "password");
    }
    if (pwv && !json_is_null(pwv)) {
        if (!json_is_string(pwv)) {
            return err_set(e, ERR_INVALID, "password",
                           "字段 password 应为字符串");
        }
        pw = json_string_value(pwv);
    } else {
        secret_random_password(generated, 16);
        pw = generated;
    }
    rc = user_set_password(c->db, &c->actor, id, pw, must, e);
    if (rc) {
        return rc;
    }
    if (generated[0]) {
        return ctx_reply_json(c, 200, json_pack("{ss}", "password", generated));
    }
    return ctx_reply_empty(c);
}
