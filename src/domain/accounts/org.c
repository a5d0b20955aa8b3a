/* org.c - the organisation tree and its materialized paths. */
#include "domain/accounts/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/valid.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"

static const struct {
    const char *code;
    const char *name;
} org_kinds[] = {
    {"district", "区"}, {"subdistrict", "街道"}, {"town", "镇"},
    {"park", "园区"},   {"community", "社区"},   {"dept", "部门"},
    {"other", "其他"},
};

#define ORG_N_KINDS (sizeof org_kinds / sizeof org_kinds[0])

const char *org_kind_name(const char *kind)
{
    size_t i;

    for (i = 0; kind && i < ORG_N_KINDS; i++) {
        if (strcmp(kind, org_kinds[i].code) == 0) {
            return org_kinds[i].name;
        }
    }
    return "其他";
}

json_t *org_kinds_json(void)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < ORG_N_KINDS; i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "value", org_kinds[i].code,
                                        "label", org_kinds[i].name));
    }
    return arr;
}

int org_kind_valid(const char *kind)
{
    size_t i;

    for (i = 0; kind && i < ORG_N_KINDS; i++) {
        if (strcmp(kind, org_kinds[i].code) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Number of ids in a path minus one: "/1/" = 0, "/1/4/" = 1. */
static int org_depth(const char *path)
{
    int n = 0;

    for (; *path; path++) {
        n += *path == '/';
    }
    return n >= 2 ? n - 2 : 0;
}

#define ORG_COLS                                                               \
    "id, parent_id, name, kind, code, path, sort, retired_at, "                \
    "retire_reason, created_at, updated_at"

static json_t *org_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

/* JSON of the current row of a SELECT ORG_COLS. */
static json_t *org_row_json(DbStmt *st)
{
    json_t *o = json_object();
    const char *kind = db_col_text(st, 3);
    const char *path = db_col_text(st, 5);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "parent_id",
                        db_col_is_null(st, 1)
                            ? json_null()
                            : json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "name", org_text(st, 2));
    json_object_set_new(o, "kind", json_string(kind ? kind : "other"));
    json_object_set_new(o, "kind_name", json_string(org_kind_name(kind)));
    json_object_set_new(o, "code", org_text(st, 4));
    json_object_set_new(o, "path", json_string(path ? path : ""));
    json_object_set_new(o, "depth", json_integer(org_depth(path ? path : "")));
    json_object_set_new(o, "sort", json_integer(db_col_int64(st, 6)));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 7)));
    json_object_set_new(o, "retired_at", org_text(st, 7));
    json_object_set_new(o, "retire_reason", org_text(st, 8));
    json_object_set_new(o, "created_at", org_text(st, 9));
    json_object_set_new(o, "updated_at", org_text(st, 10));
    return o;
}

/* Read one unit as JSON without a scope check. */
static int org_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " ORG_COLS " FROM org_units WHERE id = $1", "i",
                      id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "单位不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *out = org_row_json(st);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int org_path(Db *db, int64_t id, char *path, size_t cap, int *retired, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    if (cap > 0) {
        path[0] = '\0';
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT path, retired_at FROM org_units WHERE id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    snprintf(path, cap, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
    if (retired) {
        *retired = !db_col_is_null(st, 1);
    }
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

void org_root_path(Db *db, char *path, size_t cap)
{
    char *s = NULL;
    Err e;

    if (db_query_text(db, &s, &e,
                      "SELECT path FROM org_units WHERE parent_id IS NULL "
                      "ORDER BY id LIMIT 1",
                      "") == 0 &&
        s) {
        snprintf(path, cap, "%s", s);
    } else {
        snprintf(path, cap, "/");
    }
    free(s);
}

/* The unit's path when it exists and lies in a's scope; ERR_NOTFOUND
 * otherwise (field names the id). */
static int org_scoped_path(Db *db, const Actor *a, int64_t id,
                           const char *field, char *path, size_t cap,
                           int *retired, Err *e)
{
    int rc = org_path(db, id, path, cap, retired, e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_NOTFOUND, field, "单位不存在");
    }
    return rc;
}

/* Refuse a second live sibling of the same name (clear message before the
 * unique index would). */
static int org_check_sibling_name(Db *db, int64_t parent_id, const char *name,
                                  int64_t except_id, Err *e)
{
    int64_t n = 0;
    int rc;

    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM org_units WHERE parent_id = $1 "
                        "AND name = $2 AND retired_at IS NULL AND id <> $3",
                        "iti", parent_id, name, except_id);
    if (rc) {
        return rc;
    }
    if (n > 0) {
        return err_set(e, ERR_CONFLICT, "name",
                       "同一上级单位下已有名为“%s”的单位", name);
    }
    return 0;
}

static int org_check_admin(const Actor *a, Err *e)
{
    if (a->role != ROLE_ADMIN) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有系统管理员可以维护组织机构");
    }
    return 0;
}

static int org_check_code(const char *code, char *out, size_t cap, Err *e)
{
    size_t i;
    int rc;

    out[0] = '\0';
    if (!code) {
        return 0;
    }
    rc = valid_text(code, 0, ORG_CODE_MAX, out, cap, "code", "单位代码", e);
    if (rc) {
        return rc;
    }
    for (i = 0; out[i]; i++) {
        char ch = out[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= 'a' && ch <= 'z') || ch == '-')) {
            return err_set(e, ERR_INVALID, "code",
                           "单位代码只能包含字母、数字和连字符");
        }
    }
    return 0;
}

/* Insert a unit under parent (parent_path "" for the root) and set its
 * path from the new id. Runs inside the caller's transaction. */
static int org_insert(Db *db, int64_t parent_id, const char *parent_path,
                      const char *name, const char *kind, const char *code,
                      int64_t sort, int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX + 32];
    int64_t id = 0;
    int rc;

    clock_now_iso(now, 0);
    if (parent_id) {
        rc = db_query_int64(db, &id, e,
                            "INSERT INTO org_units (parent_id, name, kind, "
                            "code, path, sort, created_at, updated_at) VALUES "
                            "($1, $2, $3, $4, '#new', $5, $6, $6) RETURNING id",
                            "itttit", parent_id, name, kind,
                            code && *code ? code : NULL, sort, now);
    } else {
        rc = db_query_int64(db, &id, e,
                            "INSERT INTO org_units (parent_id, name, kind, "
                            "code, path, sort, created_at, updated_at) VALUES "
                            "(NULL, $1, $2, $3, '#new', $4, $5, $5) "
                            "RETURNING id",
                            "tttit", name, kind, code && *code ? code : NULL,
                            sort, now);
    }
    if (rc) {
        return rc;
    }
    snprintf(path, sizeof path, "%s%s%lld/", parent_path,
             *parent_path ? "" : "/", (long long)id);
    rc = db_exec_v(db, e, "UPDATE org_units SET path = $1 WHERE id = $2", "ti",
                   path, id);
    if (rc) {
        return rc;
    }
    *id_out = id;
    return 0;
}

/* Audit the creation of unit id (inside the transaction). */
static int org_audit_create(Db *db, const Actor *a, int64_t id, Err *e)
{
    json_t *after = NULL;
    int rc;

    rc = org_read(db, id, &after, e);
    if (rc == 0) {
        rc = audit_record(db, a, "org.create", "org_unit", id,
                          json_string_value(json_object_get(after, "path")),
                          NULL, after, e);
    }
    json_decref(after);
    return rc;
}

int org_create_root(Db *db, const Actor *a, const char *name, int64_t *id_out,
                    Err *e)
{
    char nm[ORG_NAME_MAX * 4 + 1];
    int64_t n = 0;
    int rc;

    rc = org_check_admin(a, e);
    if (rc) {
        return rc;
    }
    if (strcmp(a->unit_path, "/") != 0) {
        return err_set(e, ERR_FORBIDDEN, NULL, "只有命令行可以创建根单位");
    }
    rc =
        valid_text(name, 1, ORG_NAME_MAX, nm, sizeof nm, "name", "单位名称", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM org_units WHERE parent_id IS "
                        "NULL",
                        "");
    if (rc) {
        goto out;
    }
    if (n > 0) {
        rc = err_set(e, ERR_CONFLICT, "name", "根单位已存在");
        goto out;
    }
    rc = org_insert(db, 0, "", nm, "district", NULL, 0, id_out, e);
    if (rc) {
        goto out;
    }
    rc = org_audit_create(db, a, *id_out, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int org_create(Db *db, const Actor *a, const OrgInput *in, int64_t *id_out,
               Err *e)
{
    char nm[ORG_NAME_MAX * 4 + 1];
    char code[ORG_CODE_MAX * 4 + 1];
    char ppath[ACTOR_PATH_MAX] = "";
    const char *kind = in->kind && *in->kind ? in->kind : "other";
    int retired = 0;
    int rc;

    rc = org_check_admin(a, e);
    if (rc) {
        return rc;
    }
    rc = valid_text(in->name, 1, ORG_NAME_MAX, nm, sizeof nm, "name",
                    "单位名称", e);
    if (rc) {
        return rc;
    }
    if (!org_kind_valid(kind)) {
        return err_set(e, ERR_INVALID, "kind",
                       "单位类型应为 district、subdistrict、town、park、"
                       "community、dept 或 other");
    }
    rc = org_check_code(in->code, code, sizeof code, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = org_scoped_path(db, a, in->parent_id, "parent_id", ppath, sizeof ppath,
                         &retired, e);
    if (rc) {
        goto out;
    }
    if (retired) {
        rc = err_set(e, ERR_INVALID, "parent_id", "上级单位已撤销");
        goto out;
    }
    if (org_depth(ppath) + 1 > ORG_DEPTH_MAX ||
        strlen(ppath) + 22 >= ACTOR_PATH_MAX) {
        rc = err_set(e, ERR_INVALID, "parent_id",
                     "组织机构最多 %d 级，不能再增加下级单位",
                     ORG_DEPTH_MAX + 1);
        goto out;
    }
    rc = org_check_sibling_name(db, in->parent_id, nm, 0, e);
    if (rc) {
        goto out;
    }
    rc = org_insert(db, in->parent_id, ppath, nm, kind, code, in->sort, id_out,
                    e);
    if (rc) {
        goto out;
    }
    rc = org_audit_create(db, a, *id_out, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int org_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    int rc = org_read(db, id, out, e);

    if (rc == 0 &&
        !actor_sees_path(a, json_string_value(json_object_get(*out, "path")))) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "单位不存在");
    }
    return rc;
}

int org_list(Db *db, const Actor *a, int include_retired, json_t **items,
             Err *e)
{
    DbStmt *st = NULL;
    json_t *arr = json_array();
    Sqlq q;
    int rc;
    int k;

    *items = NULL;
    sqlq_init(&q, "SELECT " ORG_COLS " FROM org_units WHERE 1=1");
    if (strcmp(a->unit_path, "/") != 0) {
        k = sqlq_text(&q, a->unit_path);
        sqlq_addf(&q, " AND substr(path, 1, length($%d)) = $%d", k, k);
    }
    if (!include_retired) {
        sqlq_addf(&q, " AND retired_at IS NULL");
    }
    sqlq_addf(&q, " ORDER BY path");
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, org_row_json(st));
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    sqlq_release(&q);
    json_decref(arr);
    return rc;
}

/* Move unit id (path `path`) under new_parent: checks and the subtree path
 * rewrite, inside the caller's transaction. */
static int org_do_move(Db *db, const Actor *a, int64_t id, const char *path,
                       int64_t new_parent, const char *name, const char *now,
                       Err *e)
{
    char ppath[ACTOR_PATH_MAX];
    char npath[ACTOR_PATH_MAX + 32];
    int64_t max_len = 0;
    int64_t max_depth_rel = 0;
    int retired = 0;
    int rc;

    rc = org_scoped_path(db, a, new_parent, "parent_id", ppath, sizeof ppath,
                         &retired, e);
    if (rc) {
        return rc;
    }
    if (new_parent == id || strncmp(ppath, path, strlen(path)) == 0) {
        return err_set(e, ERR_INVALID, "parent_id",
                       "不能把单位调整到它自己或它的下级单位之下");
    }
    if (retired) {
        return err_set(e, ERR_INVALID, "parent_id", "上级单位已撤销");
    }
    snprintf(npath, sizeof npath, "%s%lld/", ppath, (long long)id);
    /* Longest path and deepest level in the subtree, for the caps. */
    rc = db_query_int64(db, &max_len, e,
                        "SELECT MAX(length(path)) FROM org_units WHERE "
                        "substr(path, 1, length($1)) = $1",
                        "t", path);
    if (rc) {
        return rc;
    }
    {
        DbStmt *st = NULL;
        rc = db_prepare_v(db, &st, e,
                          "SELECT path FROM org_units WHERE "
                          "substr(path, 1, length($1)) = $1",
                          "t", path);
        if (rc) {
            return rc;
        }
        while ((rc = db_step(st, e)) == DB_ROW) {
            int d = org_depth(db_col_text(st, 0)) - org_depth(path);
            if (d > max_depth_rel) {
                max_depth_rel = d;
            }
        }
        db_finalize(st);
        if (rc != DB_DONE) {
            return rc;
        }
    }
    if (org_depth(npath) + max_depth_rel > ORG_DEPTH_MAX ||
        max_len - (int64_t)strlen(path) + (int64_t)strlen(npath) >=
            ACTOR_PATH_MAX) {
        return err_set(e, ERR_INVALID, "parent_id",
                       "调整后组织机构将超过 %d 级", ORG_DEPTH_MAX + 1);
    }
    rc = org_check_sibling_name(db, new_parent, name, id, e);
    if (rc) {
        return rc;
    }
    rc = db_exec_v(db, e,
                   "UPDATE org_units SET parent_id = $1, updated_at = $2 "
                   "WHERE id = $3",
                   "iti", new_parent, now, id);
    if (rc) {
        return rc;
    }
    /* One statement rewrites the whole subtree. */
    return db_exec_v(db, e,
                     "UPDATE org_units SET path = $1 || substr(path, "
                     "length($2) + 1) WHERE substr(path, 1, length($2)) = $2",
                     "tt", npath, path);
}

/* Retire checks: not the root, not the actor's own unit, no live children,
 * no enabled users. */
static int org_check_retire(Db *db, const Actor *a, int64_t id,
                            const char *path, int64_t parent_isnull, Err *e)
{
    int64_t n = 0;
    int rc;

    if (parent_isnull) {
        return err_set(e, ERR_INVALID, "retired", "根单位不能撤销");
    }
    if (strcmp(path, a->unit_path) == 0) {
        return err_set(e, ERR_INVALID, "retired", "不能撤销本人所在的单位");
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM org_units WHERE parent_id = $1 "
                        "AND retired_at IS NULL",
                        "i", id);
    if (rc) {
        return rc;
    }
    if (n > 0) {
        return err_set(e, ERR_CONFLICT, "retired",
                       "该单位还有 %lld 个未撤销的下级单位，请先撤销或调整它们",
                       (long long)n);
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM users WHERE unit_id = $1 AND "
                        "disabled = 0",
                        "i", id);
    if (rc) {
        return rc;
    }
    if (n > 0) {
        return err_set(e, ERR_CONFLICT, "retired",
                       "该单位还有 %lld 个启用的用户，请先停用或调整他们的单位",
                       (long long)n);
    }
    return 0;
}

int org_update(Db *db, const Actor *a, int64_t id, const OrgUpdate *u, Err *e)
{
    char nm[ORG_NAME_MAX * 4 + 1];
    char code[ORG_CODE_MAX * 4 + 1];
    char reason[ORG_REASON_MAX * 4 + 1];
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX];
    json_t *before = NULL;
    json_t *after = NULL;
    const char *action = "org.update";
    int64_t cur_parent;
    int is_root;
    int rc;

    rc = org_check_admin(a, e);
    if (rc) {
        return rc;
    }
    if (u->name) {
        rc = valid_text(u->name, 1, ORG_NAME_MAX, nm, sizeof nm, "name",
                        "单位名称", e);
        if (rc) {
            return rc;
        }
    }
    if (u->kind && !org_kind_valid(u->kind)) {
        return err_set(e, ERR_INVALID, "kind",
                       "单位类型应为 district、subdistrict、town、park、"
                       "community、dept 或 other");
    }
    if (u->code) {
        rc = org_check_code(u->code, code, sizeof code, e);
        if (rc) {
            return rc;
        }
    }
    if (u->retire_reason) {
        rc = valid_text(u->retire_reason, 1, ORG_REASON_MAX, reason,
                        sizeof reason, "retire_reason", "撤销原因", e);
        if (rc) {
            return rc;
        }
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = org_get(db, a, id, &before, e);
    if (rc) {
        goto out;
    }
    snprintf(path, sizeof path, "%s",
             json_string_value(json_object_get(before, "path")));
    is_root = json_is_null(json_object_get(before, "parent_id"));
    cur_parent = json_integer_value(json_object_get(before, "parent_id"));
    if (json_is_true(json_object_get(before, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "该单位已撤销，不能修改");
        goto out;
    }
    if (u->name) {
        if (!is_root) {
            rc = org_check_sibling_name(db, cur_parent, nm, id, e);
            if (rc) {
                goto out;
            }
        }
        rc = db_exec_v(db, e,
                       "UPDATE org_units SET name = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", nm, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->kind) {
        rc = db_exec_v(db, e,
                       "UPDATE org_units SET kind = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", u->kind, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->code) {
        rc = db_exec_v(db, e,
                       "UPDATE org_units SET code = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", *code ? code : NULL, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->has_sort) {
        rc = db_exec_v(db, e,
                       "UPDATE org_units SET sort = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "iti", u->sort, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->has_parent && (is_root || u->parent_id != cur_parent)) {
        if (is_root) {
            rc = err_set(e, ERR_INVALID, "parent_id", "根单位不能调整上级");
            goto out;
        }
        rc = org_do_move(
            db, a, id, path, u->parent_id,
            u->name ? nm : json_string_value(json_object_get(before, "name")),
            now, e);
        if (rc) {
            goto out;
        }
        action = "org.move";
    }
    if (u->retire_reason) {
        rc = org_check_retire(db, a, id, path, is_root, e);
        if (rc) {
            goto out;
        }
        rc = db_exec_v(db, e,
                       "UPDATE org_units SET retired_at = $1, retire_reason "
                       "= $2, updated_at = $1 WHERE id = $3",
                       "tti", now, reason, id);
        if (rc) {
            goto out;
        }
        action = "org.retire";
    }
    rc = org_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, action, "org_unit", id,
                      json_string_value(json_object_get(after, "path")), before,
                      after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int org_rename(Db *db, const Actor *a, int64_t id, const char *name, Err *e)
{
    OrgUpdate u;

    memset(&u, 0, sizeof u);
    u.name = name;
    return org_update(db, a, id, &u, e);
}

int org_move(Db *db, const Actor *a, int64_t id, int64_t new_parent_id, Err *e)
{
    OrgUpdate u;

    memset(&u, 0, sizeof u);
    u.has_parent = 1;
    u.parent_id = new_parent_id;
    return org_update(db, a, id, &u, e);
}

int org_retire(Db *db, const Actor *a, int64_t id, const char *reason, Err *e)
{
    OrgUpdate u;

    memset(&u, 0, sizeof u);
    u.retire_reason = reason ? reason : "";
    return org_update(db, a, id, &u, e);
}
