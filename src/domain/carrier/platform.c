/* platform.c - innovation platforms and the counts for plan indicators
 * (see platform.h). */
#include "domain/carrier/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_util.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct CodeName {
    const char *code, *name;
    int rd; /* a recognised R&D institution (rule input rd_institution) */
} CodeName;

static const CodeName platform_kinds[] = {
    {"key_lab", "重点实验室", 1},
    {"eng_center", "工程技术研究中心", 1},
    {"ent_tech_center", "企业技术中心", 1},
    {"new_rd", "新型研发机构", 1},
    {"academician", "院士工作站", 0},
    {"alliance", "产业技术创新战略联盟", 0},
};
static const CodeName platform_statuses[] = {
    {"valid", "有效", 0}, {"revoked", "撤销", 0}, {"merged", "合并", 0}};

static const CodeName *pf_find(const CodeName *t, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(code, t[i].code) == 0) {
            return &t[i];
        }
    }
    return NULL;
}

const char *platform_kind_name(const char *code)
{
    const CodeName *c = pf_find(platform_kinds, N_OF(platform_kinds), code);

    return c ? c->name : NULL;
}

const char *platform_status_name(const char *code)
{
    const CodeName *c =
        pf_find(platform_statuses, N_OF(platform_statuses), code);

    return c ? c->name : NULL;
}

json_t *platform_reference_json(void)
{
    json_t *k = json_array(), *s = json_array();

    for (size_t i = 0; i < N_OF(platform_kinds); i++) {
        json_array_append_new(
            k, json_pack("{sssssb}", "value", platform_kinds[i].code, "label",
                         platform_kinds[i].name, "rd_institution",
                         platform_kinds[i].rd));
    }
    for (size_t i = 0; i < N_OF(platform_statuses); i++) {
        json_array_append_new(s, json_pack("{ssss}", "value",
                                           platform_statuses[i].code, "label",
                                           platform_statuses[i].name));
    }
    return json_pack("{soso}", "platform_kinds", k, "platform_statuses", s);
}

typedef struct PfRec {
    char *name, *host, *doc, *note;
    char recognized[DATE_ISO_SIZE], status_on[DATE_ISO_SIZE];
    const char *status;
    char path[ACTOR_PATH_MAX];
} PfRec;

static void pf_rec_release(PfRec *r)
{
    free(r->name);
    free(r->host);
    free(r->doc);
    free(r->note);
    memset(r, 0, sizeof *r);
}

static int pf_check(Db *db, const Actor *a, int64_t self,
                    const PlatformInput *in, PfRec *r, Err *e)
{
    int rc;

    memset(r, 0, sizeof *r);
    if (!platform_kind_name(in->kind)) {
        return err_set(
            e, ERR_INVALID, "kind",
            "平台类型应为 key_lab（重点实验室）、eng_center（工程技术"
            "研究中心）、ent_tech_center（企业技术中心）、new_rd（新型"
            "研发机构）、academician（院士工作站）或 alliance（产业技术"
            "创新战略联盟）");
    }
    rc =
        cu_text(in->name, 1, CARRIER_NAME_MAX, &r->name, "name", "平台名称", e);
    if (rc) {
        return rc;
    }
    if (!in->level || !carrier_level_name(in->level)) {
        return err_set(e, ERR_INVALID, "level",
                       "级别应为 national（国家级）、municipal（市级）或 "
                       "district（区级）");
    }
    rc = cu_date_req(in->recognized_on, r->recognized, "recognized_on",
                     "认定日期", e);
    if (rc == 0) {
        rc = cu_text(in->recognition_doc, 0, CARRIER_TEXT_MAX, &r->doc,
                     "recognition_doc", "认定文件", e);
    }
    if (rc == 0) {
        rc = cu_text(in->host_name, 0, CARRIER_TEXT_MAX, &r->host, "host_name",
                     "依托单位", e);
    }
    if (rc == 0) {
        rc =
            cu_text(in->note, 0, CARRIER_NOTE_MAX, &r->note, "note", "备注", e);
    }
    if (rc) {
        return rc;
    }
    r->status = in->status && *in->status ? in->status : "valid";
    if (!platform_status_name(r->status)) {
        return err_set(
            e, ERR_INVALID, "status",
            "状态应为 valid（有效）、revoked（撤销）或 merged（合并）");
    }
    rc = cu_date(in->status_on, r->status_on, "status_on", "撤销/合并日期", e);
    if (rc) {
        return rc;
    }
    if (strcmp(r->status, "valid") != 0 && !r->status_on[0]) {
        return err_set(e, ERR_INVALID, "status_on", "撤销或合并须填写日期");
    }
    if (strcmp(r->status, "valid") == 0 && r->status_on[0]) {
        return err_set(e, ERR_INVALID, "status_on",
                       "有效的平台不能填写撤销/合并日期");
    }
    if (r->status_on[0] && strcmp(r->status_on, r->recognized) < 0) {
        return err_set(e, ERR_INVALID, "status_on",
                       "撤销/合并日期（%s）不能早于认定日期（%s）",
                       r->status_on, r->recognized);
    }
    if (in->merged_into && strcmp(r->status, "merged") != 0) {
        return err_set(e, ERR_INVALID, "merged_into",
                       "只有状态为合并的平台才填写并入的平台");
    }
    if (in->merged_into && in->merged_into == self) {
        return err_set(e, ERR_INVALID, "merged_into", "平台不能并入自身");
    }
    if (in->merged_into) {
        int64_t n = 0;
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM platforms WHERE id = $1", "i",
                            in->merged_into);
        if (rc == 0 && n == 0) {
            return err_set(e, ERR_INVALID, "merged_into", "并入的平台不存在");
        }
    }
    if (rc == 0 && in->host_enterprise_id <= 0 && !r->host[0]) {
        return err_set(e, ERR_INVALID, "host_name",
                       "请填写依托单位：企业库中的企业或机构名称");
    }
    if (rc == 0 && in->host_enterprise_id > 0) {
        rc = cu_ent_exists(db, in->host_enterprise_id, NULL, 0,
                           "host_enterprise_id", "依托企业", e);
    }
    if (rc == 0) {
        rc = cu_unit_path(db, a, in->unit_id, r->path, sizeof r->path,
                          "unit_id", e);
    }
    /* recognised twice at the same level */
    if (rc == 0 && strcmp(r->status, "valid") == 0) {
        char *other = NULL;
        if (in->host_enterprise_id > 0) {
            rc = db_query_text(db, &other, e,
                               "SELECT name FROM platforms WHERE kind = $1 "
                               "AND level = $2 AND status = 'valid' AND "
                               "host_enterprise_id = $3 AND id <> $4",
                               "ttii", in->kind, in->level,
                               in->host_enterprise_id, self);
        } else {
            rc = db_query_text(db, &other, e,
                               "SELECT name FROM platforms WHERE kind = $1 "
                               "AND level = $2 AND status = 'valid' AND "
                               "host_enterprise_id IS NULL AND host_name = $3 "
                               "AND id <> $4",
                               "ttti", in->kind, in->level, r->host, self);
        }
        if (rc == 0) {
            rc = err_set(e, ERR_CONFLICT, "level",
                         "该依托单位已有有效的%s%s“%s”，不能重复认定",
                         carrier_level_name(in->level),
                         platform_kind_name(in->kind), other ? other : "");
        } else if (rc == ERR_NOTFOUND) {
            rc = 0;
        }
        free(other);
    }
    return rc;
}

#define PF_COLS                                                                \
    "p.id, p.kind, p.name, p.level, p.host_enterprise_id, he.name, "           \
    "p.host_name, p.unit_id, o.name, p.recognized_on, p.recognition_doc, "     \
    "p.status, p.status_on, p.merged_into, p.note, p.created_at, "             \
    "p.updated_at, o.path, (SELECT COUNT(*) FROM platform_members m WHERE "    \
    "m.platform_id = p.id), he.uscc"
#define PF_FROM                                                                \
    " FROM platforms p JOIN org_units o ON o.id = p.unit_id LEFT JOIN "        \
    "enterprises he ON he.id = p.host_enterprise_id"

static json_t *pf_row_json(DbStmt *st)
{
    json_t *o = json_object();
    const char *k = platform_kind_name(db_col_text(st, 1));
    const char *l = carrier_level_name(db_col_text(st, 3));
    const char *s = platform_status_name(db_col_text(st, 11));

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "kind", cu_col_text(st, 1));
    json_object_set_new(o, "kind_name", k ? json_string(k) : json_null());
    json_object_set_new(o, "name", cu_col_text(st, 2));
    json_object_set_new(o, "level", cu_col_text(st, 3));
    json_object_set_new(o, "level_name", l ? json_string(l) : json_null());
    json_object_set_new(o, "host_enterprise_id", cu_col_int(st, 4));
    json_object_set_new(o, "host_enterprise_name", cu_col_text(st, 5));
    json_object_set_new(o, "host_name", cu_col_text(st, 6));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 7)));
    json_object_set_new(o, "unit_name", cu_col_text(st, 8));
    json_object_set_new(o, "recognized_on", cu_col_text(st, 9));
    json_object_set_new(o, "recognition_doc", cu_col_text(st, 10));
    json_object_set_new(o, "status", cu_col_text(st, 11));
    json_object_set_new(o, "status_name", s ? json_string(s) : json_null());
    json_object_set_new(o, "status_on", cu_col_text(st, 12));
    json_object_set_new(o, "merged_into", cu_col_int(st, 13));
    json_object_set_new(o, "note", cu_col_text(st, 14));
    json_object_set_new(o, "created_at", cu_col_text(st, 15));
    json_object_set_new(o, "updated_at", cu_col_text(st, 16));
    json_object_set_new(o, "members", json_integer(db_col_int64(st, 18)));
    json_object_set_new(o, "host_uscc", cu_col_text(st, 19));
    return o;
}

static int pf_read(Db *db, int64_t id, json_t **out, char *path, size_t cap,
                   Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, "SELECT " PF_COLS PF_FROM " WHERE p.id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *out = pf_row_json(st);
            if (path) {
                snprintf(path, cap, "%s",
                         db_col_text(st, 17) ? db_col_text(st, 17) : "");
            }
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "平台不存在");
        }
    }
    db_finalize(st);
    return rc;
}

static int pf_read_scoped(Db *db, const Actor *a, int64_t id, json_t **out,
                          char *path, size_t cap, Err *e)
{
    char p[ACTOR_PATH_MAX];
    int rc = pf_read(db, id, out, p, sizeof p, e);

    if (rc == 0 && !actor_sees_path(a, p)) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "平台不存在");
    }
    if (rc == 0 && path) {
        snprintf(path, cap, "%s", p);
    }
    return rc;
}

static void pf_bind(DbStmt *st, const PlatformInput *in, const PfRec *r)
{
    db_bind_text(st, 1, in->kind);
    db_bind_text(st, 2, r->name);
    db_bind_text(st, 3, in->level);
    cu_bind_opt_int(st, 4, in->host_enterprise_id > 0, in->host_enterprise_id);
    cu_bind_opt_text(st, 5, r->host);
    db_bind_int64(st, 6, in->unit_id);
    db_bind_text(st, 7, r->recognized);
    cu_bind_opt_text(st, 8, r->doc);
    db_bind_text(st, 9, r->status);
    cu_bind_opt_text(st, 10, r->status_on);
    cu_bind_opt_int(st, 11, in->merged_into > 0, in->merged_into);
    cu_bind_opt_text(st, 12, r->note);
}

int platform_create(Db *db, const Actor *a, const PlatformInput *in,
                    int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    DbStmt *st = NULL;
    int64_t id = 0;
    PfRec r;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    memset(&r, 0, sizeof r);
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改平台");
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        return rc;
    }
    rc = pf_check(db, a, 0, in, &r, e);
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_prepare(db,
                        "INSERT INTO platforms (kind, name, level, "
                        "host_enterprise_id, host_name, unit_id, "
                        "recognized_on, recognition_doc, status, status_on, "
                        "merged_into, note, created_at, updated_at) VALUES "
                        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                        "$13, $13) RETURNING id",
                        &st, e);
    }
    if (rc == 0) {
        pf_bind(st, in, &r);
        db_bind_text(st, 13, now);
        rc = cu_step_id(st, &id, e);
    }
    if (rc == 0) {
        rc = pf_read(db, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "platform.create", "platform", id, r.path,
                          NULL, after, e);
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
    db_finalize(st);
    if (rc && own) {
        db_rollback(db);
    } else if (rc == 0 && id_out) {
        *id_out = id;
    }
    json_decref(after);
    pf_rec_release(&r);
    return rc;
}

/* before and after equal but for updated_at */
static int pf_same(json_t *before, json_t *after)
{
    json_t *b = json_deep_copy(before), *a = json_deep_copy(after);
    int same;

    json_object_del(b, "updated_at");
    json_object_del(a, "updated_at");
    same = json_equal(b, a);
    json_decref(b);
    json_decref(a);
    return same;
}

int platform_update(Db *db, const Actor *a, int64_t id, const PlatformInput *in,
                    Err *e)
{
    return platform_update_ex(db, a, id, in, NULL, e);
}

int platform_update_ex(Db *db, const Actor *a, int64_t id,
                       const PlatformInput *in, int *changed, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL, *after = NULL;
    DbStmt *st = NULL;
    PfRec r;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    memset(&r, 0, sizeof r);
    if (changed) {
        *changed = 0;
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改平台");
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        return rc;
    }
    rc = pf_read_scoped(db, a, id, &before, NULL, 0, e);
    if (rc == 0) {
        rc = pf_check(db, a, id, in, &r, e);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_prepare(db,
                        "UPDATE platforms SET kind = $1, name = $2, level = "
                        "$3, host_enterprise_id = $4, host_name = $5, unit_id "
                        "= $6, recognized_on = $7, recognition_doc = $8, "
                        "status = $9, status_on = $10, merged_into = $11, note "
                        "= $12, updated_at = $13 WHERE id = $14",
                        &st, e);
    }
    if (rc == 0) {
        pf_bind(st, in, &r);
        db_bind_text(st, 13, now);
        db_bind_int64(st, 14, id);
        rc = cu_step_done(st, e);
    }
    if (rc == 0) {
        rc = pf_read(db, id, &after, NULL, 0, e);
    }
    if (rc == 0 && pf_same(before, after)) {
        /* nothing changed: keep updated_at, no audit entry */
        rc = db_exec_v(
            db, e, "UPDATE platforms SET updated_at = $1 WHERE id = $2", "ti",
            json_string_value(json_object_get(before, "updated_at")), id);
    } else if (rc == 0) {
        rc = audit_record(db, a, "platform.update", "platform", id, r.path,
                          before, after, e);
        if (rc == 0 && changed) {
            *changed = 1;
        }
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
    db_finalize(st);
    if (rc && own) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    pf_rec_release(&r);
    return rc;
}

int platform_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    json_t *members = NULL;
    DbStmt *st = NULL;
    int rc = pf_read_scoped(db, a, id, out, NULL, 0, e);

    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT m.enterprise_id, en.name, en.uscc, m.joined_on "
                      "FROM platform_members m JOIN enterprises en ON en.id = "
                      "m.enterprise_id WHERE m.platform_id = $1 ORDER BY "
                      "m.joined_on, en.name",
                      "i", id);
    members = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(members,
                              json_pack("{sIsososo}", "enterprise_id",
                                        (json_int_t)db_col_int64(st, 0),
                                        "enterprise_name", cu_col_text(st, 1),
                                        "uscc", cu_col_text(st, 2), "joined_on",
                                        cu_col_text(st, 3)));
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    if (rc) {
        json_decref(members);
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "member_list", members);
    return 0;
}

static const SqlqSort pf_sorts[] = {
    {"name", "p.name", 0},
    {"kind", "p.kind", 0},
    {"level", "p.level", 0},
    {"recognized_on", "p.recognized_on", 0},
};

static void pf_where(Sqlq *q, const Actor *a, const PlatformFilter *f,
                     const char *like)
{
    cu_scope(q, a, "o.path");
    if (f->kind && *f->kind) {
        sqlq_addf(q, " AND p.kind = $%d", sqlq_text(q, f->kind));
    }
    if (f->level && *f->level) {
        sqlq_addf(q, " AND p.level = $%d", sqlq_text(q, f->level));
    }
    if (f->status && *f->status) {
        sqlq_addf(q, " AND p.status = $%d", sqlq_text(q, f->status));
    }
    if (like) {
        sqlq_addf(q, " AND p.name LIKE $%d", sqlq_text(q, like));
    }
}

int platform_list(Db *db, const Actor *a, const PlatformFilter *f,
                  int64_t offset, int64_t limit, json_t **items, int64_t *total,
                  Err *e)
{
    const SqlqSort *col = NULL;
    DbStmt *st = NULL;
    char *like = NULL;
    int desc = 0;
    Sqlq q;
    int rc;

    *items = NULL;
    *total = 0;
    if (f->q && strlen(f->q) > 400) {
        return err_set(e, ERR_INVALID, "q", "检索词过长");
    }
    rc = sqlq_sort_parse(pf_sorts, N_OF(pf_sorts), f->sort, "name", &col, &desc,
                         e);
    if (rc) {
        return rc;
    }
    like = cu_like(f->q);
    sqlq_init(&q, "SELECT COUNT(*)" PF_FROM " WHERE 1=1");
    pf_where(&q, a, f, like);
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        free(like);
        return rc;
    }
    sqlq_init(&q, "SELECT " PF_COLS PF_FROM " WHERE 1=1");
    pf_where(&q, a, f, like);
    sqlq_add_order(&q, col, desc, "p.id");
    sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
              sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    free(like);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, pf_row_json(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return rc;
    }
    return 0;
}

int platform_member_add(Db *db, const Actor *a, int64_t id,
                        int64_t enterprise_id, const char *joined_on, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char d[DATE_ISO_SIZE];
    char ename[512];
    json_t *p = NULL, *after = NULL;
    int64_t n = 0;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改平台");
    }
    rc = cu_date(joined_on, d, "joined_on", "入盟日期", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = pf_read_scoped(db, a, id, &p, path, sizeof path, e);
    if (rc == 0 && strcmp(json_string_value(json_object_get(p, "kind")),
                          "alliance") != 0) {
        rc = err_set(e, ERR_INVALID, "enterprise_id",
                     "只有产业技术创新战略联盟登记成员企业");
    }
    if (rc == 0) {
        rc = cu_ent_exists(db, enterprise_id, ename, sizeof ename,
                           "enterprise_id", "成员企业", e);
    }
    if (rc == 0) {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM platform_members WHERE "
                            "platform_id = $1 AND enterprise_id = $2",
                            "ii", id, enterprise_id);
        if (rc == 0 && n > 0) {
            rc = err_set(e, ERR_CONFLICT, "enterprise_id",
                         "“%s”已是该联盟的成员", ename);
        }
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "INSERT INTO platform_members (platform_id, "
                       "enterprise_id, joined_on, created_at) VALUES ($1, $2, "
                       "$3, $4)",
                       "iitt", id, enterprise_id, d[0] ? d : NULL, now);
    }
    if (rc == 0) {
        after =
            json_pack("{sIsss?}", "enterprise_id", (json_int_t)enterprise_id,
                      "enterprise_name", ename, "joined_on", d[0] ? d : NULL);
        rc = audit_record(db, a, "platform.member_add", "platform", id, path,
                          NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(p);
    json_decref(after);
    return rc;
}

static json_t *level_counts(void)
{
    return json_pack("{sisisisi}", "national", 0, "municipal", 0, "district", 0,
                     "total", 0);
}

static void level_add(json_t *o, const char *level, int64_t n)
{
    json_t *v = json_object_get(o, level);
    json_t *t = json_object_get(o, "total");

    if (v) {
        json_integer_set(v, json_integer_value(v) + n);
    }
    json_integer_set(t, json_integer_value(t) + n);
}

int platform_count_on(Db *db, const Actor *a, const char *as_of, json_t **out,
                      Err *e)
{
    char d[DATE_ISO_SIZE];
    json_t *pfs = json_object(), *cars = json_object(), *lv = level_counts();
    DbStmt *st = NULL;
    int64_t members = 0;
    Sqlq q;
    int rc;

    *out = NULL;
    rc = cu_date_req(as_of, d, "as_of", "统计日期", e);
    if (rc) {
        goto out;
    }
    for (size_t i = 0; i < N_OF(platform_kinds); i++) {
        json_object_set_new(pfs, platform_kinds[i].code, level_counts());
    }
    /* platforms recognised by d and valid on d */
    sqlq_init(&q, "SELECT p.kind, p.level, COUNT(*) FROM platforms p JOIN "
                  "org_units o ON o.id = p.unit_id WHERE 1=1");
    {
        int n = sqlq_text(&q, d);
        sqlq_addf(&q,
                  " AND p.recognized_on <= $%d AND (p.status = 'valid' OR "
                  "p.status_on > $%d)",
                  n, n);
    }
    cu_scope(&q, a, "o.path");
    sqlq_addf(&q, " GROUP BY p.kind, p.level");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *k = json_object_get(pfs, db_col_text(st, 0));
        if (k) {
            level_add(k, db_col_text(st, 1), db_col_int64(st, 2));
            level_add(lv, db_col_text(st, 1), db_col_int64(st, 2));
        }
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    if (rc) {
        goto out;
    }
    /* carriers with a level, recognised by d and not retired before d */
    sqlq_init(&q, "SELECT c.type, c.level, COUNT(*) FROM carriers c JOIN "
                  "org_units o ON o.id = c.unit_id WHERE c.level IS NOT NULL");
    {
        int n = sqlq_text(&q, d);
        sqlq_addf(&q,
                  " AND c.recognized_on <= $%d AND (c.retired_at IS NULL OR "
                  "c.retired_at > $%d)",
                  n, n);
    }
    cu_scope(&q, a, "o.path");
    sqlq_addf(&q, " GROUP BY c.type, c.level");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *type = db_col_text(st, 0);
        json_t *k = json_object_get(cars, type);
        if (!k) {
            k = level_counts();
            json_object_set_new(cars, type, k);
        }
        level_add(k, db_col_text(st, 1), db_col_int64(st, 2));
        level_add(lv, db_col_text(st, 1), db_col_int64(st, 2));
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    if (rc) {
        goto out;
    }
    /* enterprises in a valid alliance on d (distinct) */
    sqlq_init(&q, "SELECT COUNT(DISTINCT m.enterprise_id) FROM "
                  "platform_members m JOIN platforms p ON p.id = "
                  "m.platform_id JOIN org_units o ON o.id = p.unit_id WHERE "
                  "p.kind = 'alliance'");
    {
        int n = sqlq_text(&q, d);
        sqlq_addf(&q,
                  " AND p.recognized_on <= $%d AND (p.status = 'valid' OR "
                  "p.status_on > $%d) AND (m.joined_on IS NULL OR "
                  "m.joined_on <= $%d)",
                  n, n, n);
    }
    cu_scope(&q, a, "o.path");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        members = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    *out = json_pack(
        "{sssOsOsOsIsI}", "as_of", d, "platforms", pfs, "carriers", cars,
        "levels", lv, "municipal_and_above",
        (json_int_t)(json_integer_value(json_object_get(lv, "national")) +
                     json_integer_value(json_object_get(lv, "municipal"))),
        "alliance_members", (json_int_t)members);
out:
    json_decref(pfs);
    json_decref(cars);
    json_decref(lv);
    return rc;
}

int platform_rd_institution(Db *db, int64_t enterprise_id, const char *as_of,
                            int *has, char **name, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *has = 0;
    *name = NULL;
    rc = db_prepare_v(
        db, &st, e,
        "SELECT name, level FROM platforms WHERE host_enterprise_id = $1 AND "
        "kind IN ('key_lab', 'eng_center', 'ent_tech_center', 'new_rd') AND "
        "level IN ('national', 'municipal') AND recognized_on <= $2 AND "
        "(status = 'valid' OR status_on > $2) ORDER BY recognized_on, id",
        "it", enterprise_id, as_of);
    if (rc) {
        return rc;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        Buf b;
        buf_init(&b, 1024);
        buf_appendf(&b, "%s（%s）", db_col_text(st, 0),
                    carrier_level_name(db_col_text(st, 1))
                        ? carrier_level_name(db_col_text(st, 1))
                        : "");
        *name = xstrdup(b.data);
        buf_release(&b);
        *has = 1;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}
