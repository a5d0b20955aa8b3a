/* carrier.c - carriers, tenants, the overlap rule and graduation (see
 * carrier.h). */
#include "domain/carrier/carrier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/carrier/carrier_util.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/library/ent.h"
#include "rules/rules.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

static const CarrierType carrier_types[] = {
    {"maker_space", "众创空间", CARRIER_G_INCUBATE},
    {"incubator", "科技企业孵化器", CARRIER_G_INCUBATE},
    {"accelerator", "加速器", CARRIER_G_INCUBATE},
    {"univ_park", "大学科技园", CARRIER_G_HOST},
    {"sci_park", "科技园区", CARRIER_G_HOST},
    {"research_inst", "产业技术研究院", CARRIER_G_HOST},
    {"student_base", "大学生创业孵化基地", CARRIER_G_INCUBATE},
    {"sme_demo_base", "小型微型企业创业创新示范基地", CARRIER_G_INCUBATE},
};

typedef struct CodeName {
    const char *code, *name;
} CodeName;

static const CodeName carrier_levels[] = {
    {"national", "国家级"}, {"municipal", "市级"}, {"district", "区级"}};
static const CodeName carrier_reasons[] = {
    {"graduated", "毕业"}, {"moved", "迁出"}, {"deregistered", "注销"}};

/* Type pairs of incubating carriers that may overlap (either order). */
static const CodeName carrier_overlap_pairs[] = {
    {"maker_space", "incubator"},
};

#define CARRIER_OVERLAP_RULE                                                                                       \
    "同一企业同一时间只能在一个载体内孵化。例外：大学科技园、科技园区、产业技" \
    "术研究院"                                                                                                 \
    "是承载其他载体和企业的园区或机构，企业在其中的同时可以在另一载体；众创空" \
    "间 → "                                                                                                     \
    "孵化器 "                                                                                                   \
    "的过渡期内，企业可同时在众创空间和孵化器。同一企业在同一载体内的两段入驻" \
    "不能重叠。入驻期从入驻日（含）到迁出日（不含）：同一天迁出一处、入驻另一" \
    "处不算重叠。"

const CarrierType *carrier_type_find(const char *code)
{
    for (size_t i = 0; code && i < N_OF(carrier_types); i++) {
        if (strcmp(code, carrier_types[i].code) == 0) {
            return &carrier_types[i];
        }
    }
    return NULL;
}

static const char *code_name(const CodeName *t, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(code, t[i].code) == 0) {
            return t[i].name;
        }
    }
    return NULL;
}

const char *carrier_level_name(const char *code)
{
    return code_name(carrier_levels, N_OF(carrier_levels), code);
}

const char *carrier_reason_name(const char *code)
{
    return code_name(carrier_reasons, N_OF(carrier_reasons), code);
}

int carrier_types_may_overlap(const char *a, const char *b)
{
    const CarrierType *ta = carrier_type_find(a);
    const CarrierType *tb = carrier_type_find(b);

    if (!ta || !tb) {
        return 0;
    }
    if (ta->group == CARRIER_G_HOST || tb->group == CARRIER_G_HOST) {
        return 1;
    }
    for (size_t i = 0; i < N_OF(carrier_overlap_pairs); i++) {
        const CodeName *p = &carrier_overlap_pairs[i];
        if ((strcmp(a, p->code) == 0 && strcmp(b, p->name) == 0) ||
            (strcmp(b, p->code) == 0 && strcmp(a, p->name) == 0)) {
            return 1;
        }
    }
    return 0;
}

static json_t *code_list(const CodeName *t, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", t[i].code, "label", t[i].name));
    }
    return arr;
}

/* Defined by the other files of the capability. */
json_t *platform_reference_json(void);
json_t *carrier_sheet_reference_json(void);
json_t *people_reference_json(void);

json_t *carrier_reference_json(void)
{
    json_t *types = json_array();
    json_t *pairs = json_array();
    json_t *o;

    for (size_t i = 0; i < N_OF(carrier_types); i++) {
        json_array_append_new(
            types, json_pack("{sssssb}", "value", carrier_types[i].code,
                             "label", carrier_types[i].name, "host",
                             carrier_types[i].group == CARRIER_G_HOST));
    }
    for (size_t i = 0; i < N_OF(carrier_overlap_pairs); i++) {
        json_array_append_new(pairs,
                              json_pack("[ss]", carrier_overlap_pairs[i].code,
                                        carrier_overlap_pairs[i].name));
    }
    o = json_pack("{sosososssoso}", "carrier_types", types, "levels",
                  code_list(carrier_levels, N_OF(carrier_levels)),
                  "out_reasons",
                  code_list(carrier_reasons, N_OF(carrier_reasons)),
                  "overlap_rule", CARRIER_OVERLAP_RULE, "overlap_pairs", pairs,
                  "sheet", carrier_sheet_reference_json());
    json_object_update_new(o, platform_reference_json());
    json_object_update_new(o, people_reference_json());
    return o;
}

/* ---- carriers ---- */

typedef struct CarrierRec {
    const CarrierType *type;
    char *name, *doc, *op_name, *address, *services, *note;
    char recognized[DATE_ISO_SIZE];
    char path[ACTOR_PATH_MAX];
} CarrierRec;

static void carrier_rec_release(CarrierRec *r)
{
    free(r->name);
    free(r->doc);
    free(r->op_name);
    free(r->address);
    free(r->services);
    free(r->note);
    memset(r, 0, sizeof *r);
}

static int carrier_num(int has, int64_t v, const char *field, const char *label,
                       Err *e)
{
    if (has && (v < 0 || v > 100000000)) {
        return err_set(e, ERR_INVALID, field, "%s应在 0～100000000 之间",
                       label);
    }
    return 0;
}

/* Validate in (everything but the database checks of the unit and the
 * operator) into r. */
static int carrier_check(Db *db, const Actor *a, const CarrierInput *in,
                         CarrierRec *r, Err *e)
{
    int rc;

    memset(r, 0, sizeof *r);
    rc =
        cu_text(in->name, 1, CARRIER_NAME_MAX, &r->name, "name", "载体名称", e);
    if (rc) {
        return rc;
    }
    r->type = carrier_type_find(in->type);
    if (!r->type) {
        return err_set(e, ERR_INVALID, "type",
                       "载体类型不在代码表中（见 /api/v1/reference/carriers）");
    }
    if (in->level && *in->level && !carrier_level_name(in->level)) {
        return err_set(e, ERR_INVALID, "level",
                       "级别应为 national（国家级）、municipal（市级）或 "
                       "district（区级）");
    }
    rc = cu_date(in->recognized_on, r->recognized, "recognized_on", "认定日期",
                 e);
    if (rc == 0 && in->level && *in->level && !r->recognized[0]) {
        rc = err_set(e, ERR_INVALID, "recognized_on",
                     "有级别的载体须填写认定日期");
    }
    if (rc == 0) {
        rc = cu_text(in->recognition_doc, 0, CARRIER_TEXT_MAX, &r->doc,
                     "recognition_doc", "认定文件", e);
    }
    if (rc == 0) {
        rc = cu_text(in->operator_name, 0, CARRIER_TEXT_MAX, &r->op_name,
                     "operator_name", "运营机构", e);
    }
    if (rc == 0) {
        rc = cu_text(in->address, 0, CARRIER_TEXT_MAX, &r->address, "address",
                     "地址", e);
    }
    if (rc == 0) {
        rc = cu_text(in->services, 0, CARRIER_NOTE_MAX, &r->services,
                     "services", "服务内容", e);
    }
    if (rc == 0) {
        rc =
            cu_text(in->note, 0, CARRIER_NOTE_MAX, &r->note, "note", "备注", e);
    }
    if (rc == 0) {
        rc = carrier_num(in->has_area, in->area, "area", "面积", e);
    }
    if (rc == 0) {
        rc = carrier_num(in->has_incubation_area, in->incubation_area,
                         "incubation_area", "孵化面积", e);
    }
    if (rc == 0 && in->has_area && in->has_incubation_area &&
        in->incubation_area > in->area) {
        rc = err_set(e, ERR_INVALID, "incubation_area",
                     "孵化面积不能大于总面积");
    }
    if (rc == 0) {
        rc =
            carrier_num(in->has_staff, in->staff, "staff", "管理服务人员数", e);
    }
    if (rc == 0) {
        rc = carrier_num(in->has_mentors, in->mentors, "mentors", "创业导师数",
                         e);
    }
    if (rc == 0 && in->operator_enterprise_id <= 0 && !r->op_name[0]) {
        rc = err_set(e, ERR_INVALID, "operator_name",
                     "请填写运营主体：企业库中的企业或机构名称");
    }
    if (rc == 0 && in->operator_enterprise_id > 0) {
        rc = cu_ent_exists(db, in->operator_enterprise_id, NULL, 0,
                           "operator_enterprise_id", "运营企业", e);
    }
    if (rc == 0) {
        rc = cu_unit_path(db, a, in->unit_id, r->path, sizeof r->path,
                          "unit_id", e);
    }
    return rc;
}

#define CARRIER_COLS                                                           \
    "c.id, c.name, c.type, c.level, c.recognized_on, c.recognition_doc, "      \
    "c.operator_enterprise_id, oe.name, c.operator_name, c.unit_id, o.name, "  \
    "c.address, c.area, c.incubation_area, c.services, c.staff, c.mentors, "   \
    "c.note, c.retired_at, c.retire_reason, c.created_at, c.updated_at, "      \
    "(SELECT COUNT(*) FROM carrier_tenants t WHERE t.carrier_id = c.id AND "   \
    "t.moved_in <= $1 AND (t.moved_out IS NULL OR t.moved_out > $1)), "        \
    "o.path, "                                                                 \
    "oe.uscc"
#define CARRIER_FROM                                                           \
    " FROM carriers c JOIN org_units o ON o.id = c.unit_id LEFT JOIN "         \
    "enterprises oe ON oe.id = c.operator_enterprise_id"

static json_t *carrier_row_json(DbStmt *st)
{
    const CarrierType *t = carrier_type_find(db_col_text(st, 2));
    const char *lvl = carrier_level_name(db_col_text(st, 3));
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "name", cu_col_text(st, 1));
    json_object_set_new(o, "type", cu_col_text(st, 2));
    json_object_set_new(o, "type_name", t ? json_string(t->name) : json_null());
    json_object_set_new(o, "level", cu_col_text(st, 3));
    json_object_set_new(o, "level_name", lvl ? json_string(lvl) : json_null());
    json_object_set_new(o, "recognized_on", cu_col_text(st, 4));
    json_object_set_new(o, "recognition_doc", cu_col_text(st, 5));
    json_object_set_new(o, "operator_enterprise_id", cu_col_int(st, 6));
    json_object_set_new(o, "operator_enterprise_name", cu_col_text(st, 7));
    json_object_set_new(o, "operator_name", cu_col_text(st, 8));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 9)));
    json_object_set_new(o, "unit_name", cu_col_text(st, 10));
    json_object_set_new(o, "address", cu_col_text(st, 11));
    json_object_set_new(o, "area", cu_col_int(st, 12));
    json_object_set_new(o, "incubation_area", cu_col_int(st, 13));
    json_object_set_new(o, "services", cu_col_text(st, 14));
    json_object_set_new(o, "staff", cu_col_int(st, 15));
    json_object_set_new(o, "mentors", cu_col_int(st, 16));
    json_object_set_new(o, "note", cu_col_text(st, 17));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 18)));
    json_object_set_new(o, "retired_at", cu_col_text(st, 18));
    json_object_set_new(o, "retire_reason", cu_col_text(st, 19));
    json_object_set_new(o, "created_at", cu_col_text(st, 20));
    json_object_set_new(o, "updated_at", cu_col_text(st, 21));
    json_object_set_new(o, "tenants_now", json_integer(db_col_int64(st, 22)));
    json_object_set_new(o, "operator_uscc", cu_col_text(st, 24));
    return o;
}

static void carrier_today(char out[DATE_ISO_SIZE])
{
    char now[CLOCK_ISO_LEN];

    clock_now_iso(now, 0);
    memcpy(out, now, 10);
    out[10] = '\0';
}

/* Carrier id as JSON without a scope check; path gets its unit path
 * (may be NULL). */
static int carrier_read(Db *db, int64_t id, json_t **out, char *path,
                        size_t cap, Err *e)
{
    char today[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    carrier_today(today);
    rc = db_prepare_v(db, &st, e,
                      "SELECT " CARRIER_COLS CARRIER_FROM " WHERE c.id = $2",
                      "ti", today, id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "载体不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    if (path) {
        snprintf(path, cap, "%s",
                 db_col_text(st, 23) ? db_col_text(st, 23) : "");
    }
    *out = carrier_row_json(st);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

/* Carrier id in a's scope (ERR_NOTFOUND otherwise). */
static int carrier_read_scoped(Db *db, const Actor *a, int64_t id, json_t **out,
                               char *path, size_t cap, Err *e)
{
    char p[ACTOR_PATH_MAX];
    int rc = carrier_read(db, id, out, p, sizeof p, e);

    if (rc == 0 && !actor_sees_path(a, p)) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "载体不存在");
    }
    if (rc == 0 && path) {
        snprintf(path, cap, "%s", p);
    }
    return rc;
}

int carrier_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    return carrier_read_scoped(db, a, id, out, NULL, 0, e);
}

static void carrier_bind(DbStmt *st, const CarrierInput *in,
                         const CarrierRec *r)
{
    db_bind_text(st, 1, r->name);
    db_bind_text(st, 2, r->type->code);
    cu_bind_opt_text(st, 3, in->level);
    cu_bind_opt_text(st, 4, r->recognized);
    cu_bind_opt_text(st, 5, r->doc);
    cu_bind_opt_int(st, 6, in->operator_enterprise_id > 0,
                    in->operator_enterprise_id);
    cu_bind_opt_text(st, 7, r->op_name);
    db_bind_int64(st, 8, in->unit_id);
    cu_bind_opt_text(st, 9, r->address);
    cu_bind_opt_int(st, 10, in->has_area, in->area);
    cu_bind_opt_int(st, 11, in->has_incubation_area, in->incubation_area);
    cu_bind_opt_text(st, 12, r->services);
    cu_bind_opt_int(st, 13, in->has_staff, in->staff);
    cu_bind_opt_int(st, 14, in->has_mentors, in->mentors);
    cu_bind_opt_text(st, 15, r->note);
}

static int carrier_name_free(Db *db, const char *name, int64_t self, Err *e)
{
    int64_t n = 0;
    int rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM carriers WHERE name = $1 AND "
                            "retired_at IS NULL AND id <> $2",
                            "ti", name, self);

    if (rc == 0 && n > 0) {
        rc = err_set(e, ERR_CONFLICT, "name", "已有同名载体：%s", name);
    }
    return rc;
}

int carrier_create(Db *db, const Actor *a, const CarrierInput *in,
                   int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    CarrierRec r;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int64_t id = 0;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    memset(&r, 0, sizeof r);
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        return rc;
    }
    rc = carrier_check(db, a, in, &r, e);
    if (rc == 0) {
        rc = carrier_name_free(db, r.name, 0, e);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_prepare(db,
                    "INSERT INTO carriers (name, type, level, recognized_on, "
                    "recognition_doc, operator_enterprise_id, operator_name, "
                    "unit_id, address, area, incubation_area, services, "
                    "staff, mentors, note, created_at, updated_at) VALUES "
                    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                    "$14, $15, $16, $16) RETURNING id",
                    &st, e);
    if (rc) {
        goto out;
    }
    carrier_bind(st, in, &r);
    db_bind_text(st, 16, now);
    rc = cu_step_id(st, &id, e);
    if (rc) {
        goto out;
    }
    rc = carrier_read(db, id, &after, NULL, 0, e);
    if (rc == 0) {
        rc = audit_record(db, a, "carrier.create", "carrier", id, r.path, NULL,
                          after, e);
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
out:
    db_finalize(st);
    if (rc && own) {
        db_rollback(db);
    } else if (rc == 0 && id_out) {
        *id_out = id;
    }
    json_decref(after);
    carrier_rec_release(&r);
    return rc;
}

/* before and after equal but for updated_at */
static int carrier_same(json_t *before, json_t *after)
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

int carrier_update(Db *db, const Actor *a, int64_t id, const CarrierInput *in,
                   Err *e)
{
    return carrier_update_ex(db, a, id, in, NULL, e);
}

int carrier_update_ex(Db *db, const Actor *a, int64_t id,
                      const CarrierInput *in, int *changed, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX];
    CarrierRec r;
    json_t *before = NULL, *after = NULL;
    DbStmt *st = NULL;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    memset(&r, 0, sizeof r);
    if (changed) {
        *changed = 0;
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        return rc;
    }
    rc = carrier_read_scoped(db, a, id, &before, path, sizeof path, e);
    if (rc == 0 && json_is_true(json_object_get(before, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "载体已撤销，不能修改");
    }
    if (rc == 0) {
        rc = carrier_check(db, a, in, &r, e);
    }
    if (rc == 0) {
        rc = carrier_name_free(db, r.name, id, e);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_prepare(db,
                    "UPDATE carriers SET name = $1, type = $2, level = $3, "
                    "recognized_on = $4, recognition_doc = $5, "
                    "operator_enterprise_id = $6, operator_name = $7, "
                    "unit_id = $8, address = $9, area = $10, "
                    "incubation_area = $11, services = $12, staff = $13, "
                    "mentors = $14, note = $15, updated_at = $16 WHERE id = "
                    "$17",
                    &st, e);
    if (rc) {
        goto out;
    }
    carrier_bind(st, in, &r);
    db_bind_text(st, 16, now);
    db_bind_int64(st, 17, id);
    rc = cu_step_done(st, e);
    if (rc == 0) {
        rc = carrier_read(db, id, &after, NULL, 0, e);
    }
    if (rc == 0 && carrier_same(before, after)) {
        /* nothing changed: keep updated_at, no audit entry */
        rc = db_exec_v(
            db, e, "UPDATE carriers SET updated_at = $1 WHERE id = $2", "ti",
            json_string_value(json_object_get(before, "updated_at")), id);
    } else if (rc == 0) {
        rc = audit_record(db, a, "carrier.update", "carrier", id, r.path,
                          before, after, e);
        if (rc == 0 && changed) {
            *changed = 1;
        }
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
out:
    db_finalize(st);
    if (rc && own) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    carrier_rec_release(&r);
    return rc;
}

int carrier_retire(Db *db, const Actor *a, int64_t id, const char *reason,
                   Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX];
    char *rsn = NULL;
    json_t *before = NULL, *after = NULL;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    rc = cu_text(reason, 1, 200, &rsn, "retire_reason", "撤销原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = carrier_read_scoped(db, a, id, &before, path, sizeof path, e);
    if (rc == 0 && json_is_true(json_object_get(before, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "载体已撤销");
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE carriers SET retired_at = $1, retire_reason = "
                       "$2, updated_at = $1 WHERE id = $3",
                       "tti", now, rsn, id);
    }
    if (rc == 0) {
        rc = carrier_read(db, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "carrier.retire", "carrier", id, path, before,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
done:
    free(rsn);
    json_decref(before);
    json_decref(after);
    return rc;
}

static const SqlqSort carrier_sorts[] = {
    {"name", "c.name", 0},
    {"type", "c.type", 0},
    {"level", "c.level", 1},
    {"recognized_on", "c.recognized_on", 1},
    {"tenants",
     "(SELECT COUNT(*) FROM carrier_tenants t WHERE t.carrier_id = "
     "c.id AND t.moved_out IS NULL)",
     0},
};

/* WHERE clause of the list (after "WHERE 1=1"). The today parameter is
 * added first, as $1, by the caller. */
static void carrier_where(Sqlq *q, const Actor *a, const CarrierFilter *f,
                          char *like)
{
    cu_scope(q, a, "o.path");
    if (!f->include_retired) {
        sqlq_addf(q, " AND c.retired_at IS NULL");
    }
    if (f->type && *f->type) {
        sqlq_addf(q, " AND c.type = $%d", sqlq_text(q, f->type));
    }
    if (f->level && *f->level) {
        sqlq_addf(q, " AND c.level = $%d", sqlq_text(q, f->level));
    }
    if (like) {
        sqlq_addf(q, " AND c.name LIKE $%d", sqlq_text(q, like));
    }
}

int carrier_list(Db *db, const Actor *a, const CarrierFilter *f, int64_t offset,
                 int64_t limit, json_t **items, int64_t *total, Err *e)
{
    char today[DATE_ISO_SIZE];
    const SqlqSort *col = NULL;
    char *like = NULL;
    DbStmt *st = NULL;
    int desc = 0;
    Sqlq q;
    int rc;

    *items = NULL;
    *total = 0;
    if (f->q && strlen(f->q) > 400) {
        return err_set(e, ERR_INVALID, "q", "检索词过长");
    }
    rc = sqlq_sort_parse(carrier_sorts, N_OF(carrier_sorts), f->sort, "name",
                         &col, &desc, e);
    if (rc) {
        return rc;
    }
    carrier_today(today);
    like = cu_like(f->q);
    sqlq_init(&q, "SELECT COUNT(*)" CARRIER_FROM " WHERE 1=1");
    carrier_where(&q, a, f, like);
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        goto out;
    }
    *total = db_col_int64(st, 0);
    db_finalize(st);
    st = NULL;
    sqlq_init(&q, "SELECT " CARRIER_COLS CARRIER_FROM " WHERE 1=1");
    sqlq_text(&q, today); /* $1 */
    carrier_where(&q, a, f, like);
    sqlq_add_order(&q, col, desc, "c.id");
    sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
              sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc) {
        goto out;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, carrier_row_json(st));
    }
    rc = rc == DB_DONE ? 0 : rc;
out:
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    db_finalize(st);
    free(like);
    return rc;
}

/* ---- tenants ---- */

#define TENANT_COLS                                                            \
    "t.id, t.carrier_id, c.name, c.type, t.enterprise_id, en.name, en.uscc, "  \
    "t.moved_in, t.moved_out, t.out_reason, t.note, t.src_kind, t.src_at, "    \
    "t.created_at, t.updated_at, o.path"
#define TENANT_FROM                                                            \
    " FROM carrier_tenants t JOIN carriers c ON c.id = t.carrier_id JOIN "     \
    "enterprises en ON en.id = t.enterprise_id JOIN org_units o ON o.id = "    \
    "en.unit_id"

static json_t *tenant_row_json(DbStmt *st)
{
    const CarrierType *t = carrier_type_find(db_col_text(st, 3));
    const char *rsn = carrier_reason_name(db_col_text(st, 9));
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "carrier_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "carrier_name", cu_col_text(st, 2));
    json_object_set_new(o, "carrier_type", cu_col_text(st, 3));
    json_object_set_new(o, "carrier_type_name",
                        t ? json_string(t->name) : json_null());
    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 4)));
    json_object_set_new(o, "enterprise_name", cu_col_text(st, 5));
    json_object_set_new(o, "uscc", cu_col_text(st, 6));
    json_object_set_new(o, "moved_in", cu_col_text(st, 7));
    json_object_set_new(o, "moved_out", cu_col_text(st, 8));
    json_object_set_new(o, "out_reason", cu_col_text(st, 9));
    json_object_set_new(o, "out_reason_name",
                        rsn ? json_string(rsn) : json_null());
    json_object_set_new(o, "note", cu_col_text(st, 10));
    json_object_set_new(o, "src_kind", cu_col_text(st, 11));
    json_object_set_new(o, "src_at", cu_col_text(st, 12));
    json_object_set_new(o, "created_at", cu_col_text(st, 13));
    json_object_set_new(o, "updated_at", cu_col_text(st, 14));
    return o;
}

static int tenant_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " TENANT_COLS TENANT_FROM " WHERE t.id = $1", "i",
                      id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *out = tenant_row_json(st);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "tenant_id", "入驻记录不存在");
        }
    }
    db_finalize(st);
    return rc;
}

typedef struct TenantRec {
    char in[DATE_ISO_SIZE];
    char out[DATE_ISO_SIZE];
    const char *reason;
    char *note;
} TenantRec;

static int tenant_check(const TenantInput *in, TenantRec *r, Err *e)
{
    int rc;

    memset(r, 0, sizeof *r);
    rc = cu_date_req(in->moved_in, r->in, "moved_in", "入驻日期", e);
    if (rc == 0) {
        rc = cu_date(in->moved_out, r->out, "moved_out", "迁出日期", e);
    }
    if (rc) {
        return rc;
    }
    if (r->out[0] && strcmp(r->out, r->in) <= 0) {
        return err_set(e, ERR_INVALID, "moved_out",
                       "迁出日期（%s）应晚于入驻日期（%s）", r->out, r->in);
    }
    if (r->out[0]) {
        if (!in->out_reason || !*in->out_reason) {
            return err_set(e, ERR_INVALID, "out_reason",
                           "请填写迁出原因：graduated（毕业）、moved（迁出）或 "
                           "deregistered（注销）");
        }
        if (!carrier_reason_name(in->out_reason)) {
            return err_set(e, ERR_INVALID, "out_reason",
                           "迁出原因应为 graduated（毕业）、moved（迁出）或 "
                           "deregistered（注销）");
        }
        r->reason = in->out_reason;
    } else if (in->out_reason && *in->out_reason) {
        return err_set(e, ERR_INVALID, "out_reason",
                       "未填写迁出日期时不能填写迁出原因");
    }
    return cu_text(in->note, 0, CARRIER_NOTE_MAX, &r->note, "note", "备注", e);
}

/* Refuse a tenancy [in, out) of enterprise ent in carrier carrier_id (of
 * type ctype) that overlaps another one (self excluded) in a way the rule
 * does not allow. */
static int tenant_overlap(Db *db, int64_t carrier_id, const char *ctype,
                          int64_t ent, int64_t self, const TenantRec *r, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(
        db, &st, e,
        "SELECT t.carrier_id, c.name, c.type, t.moved_in, t.moved_out FROM "
        "carrier_tenants t JOIN carriers c ON c.id = t.carrier_id WHERE "
        "t.enterprise_id = $1 AND t.id <> $2 AND t.moved_in < $3 AND "
        "(t.moved_out IS NULL OR t.moved_out > $4) ORDER BY t.moved_in, t.id",
        "iitt", ent, self, r->out[0] ? r->out : "9999-12-31", r->in);
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t other = db_col_int64(st, 0);
        const char *name = db_col_text(st, 1);
        const char *otype = db_col_text(st, 2);
        const char *oin = db_col_text(st, 3);
        const char *oout = db_col_text(st, 4);
        const CarrierType *ta = carrier_type_find(ctype);
        const CarrierType *tb = carrier_type_find(otype);

        if (other == carrier_id) {
            rc = err_set(e, ERR_CONFLICT, "moved_in",
                         "该企业在本载体已有一段入驻（%s 至 %s），两段入驻不能"
                         "重叠",
                         oin, oout ? oout : "今");
            break;
        }
        if (!carrier_types_may_overlap(ctype, otype)) {
            rc = err_set(e, ERR_CONFLICT, "moved_in",
                         "该企业同期在%s“%s”（%s 至 %s），%s与%s不能同时入驻"
                         "（只有众创空间 → 孵化器、或大学科技园/科技园区/"
                         "产业技术研究院与其他载体可以重叠）",
                         tb ? tb->name : "", name ? name : "", oin,
                         oout ? oout : "今", ta ? ta->name : "",
                         tb ? tb->name : "");
            break;
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* The carrier's type and path, for a write by a (in scope; a retired
 * carrier takes no new tenants, but its tenancies can still be ended or
 * corrected: adding = 0). */
static int tenant_carrier(Db *db, const Actor *a, int64_t carrier_id,
                          int adding, char *type, size_t tcap, char *path,
                          size_t pcap, Err *e)
{
    json_t *c = NULL;
    int rc = carrier_read_scoped(db, a, carrier_id, &c, path, pcap, e);

    if (rc == 0 && adding && json_is_true(json_object_get(c, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "载体已撤销，不能登记入驻");
    }
    if (rc == 0) {
        snprintf(type, tcap, "%s",
                 json_string_value(json_object_get(c, "type")));
    }
    json_decref(c);
    return rc;
}

int carrier_tenant_add(Db *db, const Actor *a, int64_t carrier_id,
                       const TenantInput *in, int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX], epath[ACTOR_PATH_MAX];
    char ctype[32];
    json_t *after = NULL;
    TenantRec r;
    DbStmt *st = NULL;
    int64_t id = 0;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    memset(&r, 0, sizeof r);
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    rc = tenant_check(in, &r, e);
    if (rc) {
        goto done;
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        goto done;
    }
    rc = tenant_carrier(db, a, carrier_id, 1, ctype, sizeof ctype, path,
                        sizeof path, e);
    if (rc == 0) {
        rc =
            ent_writable_path(db, a, in->enterprise_id, epath, sizeof epath, e);
        if (rc == ERR_NOTFOUND || rc == ERR_CONFLICT) {
            rc = err_set(
                e, ERR_INVALID, "enterprise_id",
                "入驻企业不在企业库中（或不在本单位范围内、已注销出库）");
        }
    }
    if (rc == 0) {
        rc = tenant_overlap(db, carrier_id, ctype, in->enterprise_id, 0, &r, e);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_prepare_v(db, &st, e,
                      "INSERT INTO carrier_tenants (carrier_id, enterprise_id, "
                      "moved_in, moved_out, out_reason, note, src_kind, "
                      "src_user_id, src_at, created_at, updated_at) VALUES "
                      "($1, $2, $3, $4, $5, $6, 'user', $7, $8, $8, $8) "
                      "RETURNING id",
                      "iitttti"
                      "t",
                      carrier_id, in->enterprise_id, r.in,
                      r.out[0] ? r.out : NULL, r.reason,
                      r.note[0] ? r.note : NULL, a->user_id, now);
    if (rc == 0) {
        rc = cu_step_id(st, &id, e);
    }
    if (rc == 0) {
        rc = tenant_read(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "tenant.create", "carrier", carrier_id, path,
                          NULL, after, e);
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
out:
    db_finalize(st);
    if (rc && own) {
        db_rollback(db);
    } else if (rc == 0 && id_out) {
        *id_out = id;
    }
done:
    json_decref(after);
    free(r.note);
    return rc;
}

/* A text field of a stored row equals a checked value ("" = NULL). */
static int tenant_same_text(json_t *row, const char *key, const char *v)
{
    const char *s = json_string_value(json_object_get(row, key));

    return strcmp(s ? s : "", v ? v : "") == 0;
}

int carrier_tenant_update(Db *db, const Actor *a, int64_t carrier_id,
                          int64_t tenant_id, const TenantInput *in, Err *e)
{
    return carrier_tenant_update_ex(db, a, carrier_id, tenant_id, in, NULL, e);
}

int carrier_tenant_update_ex(Db *db, const Actor *a, int64_t carrier_id,
                             int64_t tenant_id, const TenantInput *in,
                             int *changed, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX], epath[ACTOR_PATH_MAX];
    char ctype[32];
    json_t *before = NULL, *after = NULL;
    TenantRec r;
    int64_t ent = 0;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int same = 0;
    int rc;

    memset(&r, 0, sizeof r);
    if (changed) {
        *changed = 0;
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    rc = tenant_check(in, &r, e);
    if (rc) {
        goto done;
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        goto done;
    }
    rc = tenant_carrier(db, a, carrier_id, 0, ctype, sizeof ctype, path,
                        sizeof path, e);
    if (rc == 0) {
        rc = tenant_read(db, tenant_id, &before, e);
    }
    if (rc == 0 && json_integer_value(json_object_get(before, "carrier_id")) !=
                       carrier_id) {
        rc = err_set(e, ERR_NOTFOUND, "tenant_id", "入驻记录不存在");
    }
    if (rc == 0) {
        ent = json_integer_value(json_object_get(before, "enterprise_id"));
        rc = ent_writable_path(db, a, ent, epath, sizeof epath, e);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_NOTFOUND, "tenant_id", "入驻记录不存在");
        }
    }
    if (rc == 0) {
        same = tenant_same_text(before, "moved_in", r.in) &&
               tenant_same_text(before, "moved_out", r.out) &&
               tenant_same_text(before, "out_reason", r.reason) &&
               tenant_same_text(before, "note", r.note);
    }
    if (rc == 0 && !same) {
        rc = tenant_overlap(db, carrier_id, ctype, ent, tenant_id, &r, e);
    }
    if (rc == 0 && same) {
        /* nothing changed: no write, no audit entry */
        if (own) {
            rc = db_commit(db, e);
        }
        goto done;
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE carrier_tenants SET moved_in = $1, moved_out = "
                       "$2, out_reason = $3, note = $4, src_kind = 'user', "
                       "src_user_id = $5, src_at = $6, updated_at = $6 WHERE "
                       "id = $7",
                       "ttttiti", r.in, r.out[0] ? r.out : NULL, r.reason,
                       r.note[0] ? r.note : NULL, a->user_id, now, tenant_id);
    }
    if (rc == 0) {
        rc = tenant_read(db, tenant_id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "tenant.update", "carrier", carrier_id, path,
                          before, after, e);
    }
    if (rc == 0 && changed) {
        *changed = 1;
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
    if (rc && own) {
        db_rollback(db);
    }
done:
    json_decref(before);
    json_decref(after);
    free(r.note);
    return rc;
}

static int tenant_query(Db *db, Sqlq *q, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    int rc = sqlq_prepare(q, db, &st, e);

    sqlq_release(q);
    *items = NULL;
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, tenant_row_json(st));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return rc;
    }
    return 0;
}

int carrier_tenant_list(Db *db, const Actor *a, int64_t carrier_id,
                        const char *as_of, json_t **items, Err *e)
{
    char d[DATE_ISO_SIZE];
    json_t *c = NULL;
    Sqlq q;
    int rc;

    *items = NULL;
    rc = cu_date(as_of, d, "as_of", "日期", e);
    if (rc == 0) {
        rc = carrier_read_scoped(db, a, carrier_id, &c, NULL, 0, e);
    }
    json_decref(c);
    if (rc) {
        return rc;
    }
    sqlq_init(&q, "SELECT " TENANT_COLS TENANT_FROM " WHERE 1=1");
    sqlq_addf(&q, " AND t.carrier_id = $%d", sqlq_int(&q, carrier_id));
    cu_scope(&q, a, "o.path");
    if (d[0]) {
        int n = sqlq_text(&q, d);
        sqlq_addf(&q,
                  " AND t.moved_in <= $%d AND (t.moved_out IS NULL OR "
                  "t.moved_out > $%d)",
                  n, n);
    }
    sqlq_addf(&q, " ORDER BY t.moved_in DESC, t.id DESC LIMIT 100000");
    return tenant_query(db, &q, items, e);
}

int carrier_tenant_list_ent(Db *db, const Actor *a, int64_t enterprise_id,
                            json_t **items, Err *e)
{
    Sqlq q;

    sqlq_init(&q, "SELECT " TENANT_COLS TENANT_FROM " WHERE 1=1");
    sqlq_addf(&q, " AND t.enterprise_id = $%d", sqlq_int(&q, enterprise_id));
    cu_scope(&q, a, "o.path");
    sqlq_addf(&q, " ORDER BY t.moved_in DESC, t.id DESC LIMIT 1000");
    return tenant_query(db, &q, items, e);
}

/* ---- graduation ---- */

extern const char *const kc_carrier_grad_kcr;
extern const size_t kc_carrier_grad_kcr_len;

static pthread_once_t grad_once = PTHREAD_ONCE_INIT;
static RuleSet *grad_rs;
static Err grad_err;

static void grad_load(void)
{
    if (rule_set_parse("rules/carrier/graduation-2018.kcr", kc_carrier_grad_kcr,
                       kc_carrier_grad_kcr_len, &grad_rs, &grad_err)) {
        log_error("graduation rule set: %s", grad_err.msg);
        grad_rs = NULL;
    }
}

const RuleSet *carrier_grad_ruleset(Err *e)
{
    pthread_once(&grad_once, grad_load);
    if (!grad_rs) {
        err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return grad_rs;
}

int carrier_graduation(Db *db, const Actor *a, int64_t carrier_id,
                       int64_t tenant_id, const char *as_of, json_t **out,
                       Err *e)
{
    const RuleSet *rs = carrier_grad_ruleset(e);
    char d[DATE_ISO_SIZE];
    json_t *tenants = NULL;
    json_t *items = NULL;
    EligLoader *ld = NULL;
    Date when;
    size_t i;
    json_t *t;
    int rc;

    *out = NULL;
    if (!rs) {
        return ERR_INTERNAL;
    }
    rc = cu_date(as_of, d, "as_of", "评价日", e);
    if (rc) {
        return rc;
    }
    if (!d[0]) {
        carrier_today(d);
    }
    date_parse(d, &when, "as_of", NULL);
    rc = carrier_tenant_list(db, a, carrier_id, tenant_id ? NULL : d, &tenants,
                             e);
    if (rc) {
        return rc;
    }
    rc = elig_loader_open(db, &ld, e);
    if (rc) {
        goto out;
    }
    items = json_array();
    json_array_foreach(tenants, i, t)
    {
        int64_t tid = json_integer_value(json_object_get(t, "id"));
        int64_t ent = json_integer_value(json_object_get(t, "enterprise_id"));
        RuleInput *in = NULL;
        RuleResult *res = NULL;
        int v;

        if (tenant_id && tid != tenant_id) {
            continue;
        }
        rc = elig_loader_load(ld, ent, when, &in, e);
        if (rc == 0) {
            rc = rule_eval(rs, in, &res, e);
        }
        if (rc) {
            rule_input_free(in);
            goto out;
        }
        v = rule_result_verdict(res);
        json_array_append_new(
            items,
            json_pack("{sIsIsOsOsOsssssssO}", "tenant_id", (json_int_t)tid,
                      "enterprise_id", (json_int_t)ent, "enterprise_name",
                      json_object_get(t, "enterprise_name"), "moved_in",
                      json_object_get(t, "moved_in"), "moved_out",
                      json_object_get(t, "moved_out"), "verdict",
                      elig_verdict_code(v), "verdict_name",
                      rule_verdict_name(v), "path", rule_result_path(res),
                      "result", json_null()));
        json_object_set_new(json_array_get(items, json_array_size(items) - 1),
                            "result", elig_result_json(rs, res));
        rule_result_free(res);
        rule_input_free(in);
    }
    if (tenant_id && json_array_size(items) == 0) {
        rc = err_set(e, ERR_NOTFOUND, "tenant_id", "入驻记录不存在");
        goto out;
    }
    *out = json_pack("{s{ssssssss}sssO}", "ruleset", "id", rule_set_id(rs),
                     "name", rule_set_name(rs), "doc", rule_set_doc(rs),
                     "status", rule_set_status(rs), "as_of", d, "items", items);
out:
    elig_loader_close(ld);
    json_decref(items);
    json_decref(tenants);
    return rc;
}
