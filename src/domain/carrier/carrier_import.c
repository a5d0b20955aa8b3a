/* carrier_import.c - carrier and tenancy imports (see carrier_import.h). */
#include "domain/carrier/carrier_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/valid.h"
#include "base/xlsx_write.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_util.h"
#include "domain/carrier/people.h"
#include "domain/carrier/platform.h"
#include "domain/io/import.h"
#include "domain/library/ent.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct CiCol {
    const char *key; /* API field name (error field) */
    const char *title;
    int required;
    const char *note;
} CiCol;

static const CiCol ci_carrier_cols[] = {
    {"name", "载体名称", 1, NULL},
    {"type", "类型", 1,
     "众创空间、科技企业孵化器、加速器、大学科技园 等（名称或代码）"},
    {"level", "级别", 0, "国家级、市级、区级"},
    {"recognized_on", "认定日期", 0, NULL},
    {"recognition_doc", "认定文件", 0, NULL},
    {"operator_uscc", "运营企业统一社会信用代码", 0, "企业库中的企业"},
    {"operator_name", "运营机构", 0, "运营主体不在企业库中时填写"},
    {"unit_id", "所属单位", 1, "组织机构中的单位名称"},
    {"address", "地址", 0, NULL},
    {"area", "面积（㎡）", 0, NULL},
    {"incubation_area", "孵化面积（㎡）", 0, NULL},
    {"services", "服务内容", 0, NULL},
    {"staff", "管理服务人员数", 0, NULL},
    {"mentors", "创业导师数", 0, NULL},
    {"note", "备注", 0, NULL},
};

static const CiCol ci_tenant_cols[] = {
    {"carrier", "载体名称", 1, NULL},
    {"enterprise_id", "统一社会信用代码", 1, NULL},
    {"moved_in", "入驻日期", 1, NULL},
    {"moved_out", "迁出日期", 0, NULL},
    {"out_reason", "迁出原因", 0, "毕业、迁出、注销"},
    {"note", "备注", 0, NULL},
};

static const CiCol ci_platform_cols[] = {
    {"name", "平台名称", 1, NULL},
    {"kind", "类型", 1,
     "重点实验室、工程技术研究中心、企业技术中心、新型研发机构、院士工作站、"
     "产业技术创新战略联盟"},
    {"level", "级别", 1, "国家级、市级、区级"},
    {"host_uscc", "依托企业统一社会信用代码", 0, "企业库中的企业"},
    {"host_name", "依托单位", 0, "依托单位不在企业库中时填写"},
    {"unit_id", "所属单位", 1, "组织机构中的单位名称"},
    {"recognized_on", "认定日期", 1, NULL},
    {"recognition_doc", "认定文件", 0, NULL},
    {"status", "状态", 0, "有效（默认）、撤销、合并"},
    {"status_on", "撤销/合并日期", 0, NULL},
    {"note", "备注", 0, NULL},
};

static const CiCol ci_talent_cols[] = {
    {"enterprise_id", "统一社会信用代码", 1, NULL},
    {"year", "年度", 1, NULL},
    {"haihe", "海河英才（引进）", 0, "人数"},
    {"high_level", "高层次人才", 0, "人数"},
    {"leading", "领军人才", 0, "人数"},
    {"doctor", "博士", 0, "人数"},
    {"master", "硕士", 0, "人数"},
};

static const CiCol ci_listing_cols[] = {
    {"enterprise_id", "统一社会信用代码", 1, NULL},
    {"stage", "上市阶段", 1, "培育、辅导、申报、过会、上市"},
    {"board", "拟上市板块", 0,
     "主板、创业板、科创板、北京证券交易所、新三板 等"},
    {"sponsor", "保荐机构", 0, NULL},
    {"entered_on", "入库日期", 1, NULL},
    {"stage_on", "进入本阶段日期", 0, NULL},
    {"listed_on", "上市日期", 0, "阶段为上市时必填"},
    {"note", "备注", 0, NULL},
};

typedef struct CiKind {
    const char *code, *name;
    const CiCol *cols;
    size_t n;
} CiKind;

enum { CI_CARRIERS, CI_TENANTS, CI_PLATFORMS, CI_TALENT, CI_LISTING };

static const CiKind ci_kinds[] = {
    {"carriers", "载体", ci_carrier_cols, N_OF(ci_carrier_cols)},
    {"tenants", "入驻企业", ci_tenant_cols, N_OF(ci_tenant_cols)},
    {"platforms", "创新平台", ci_platform_cols, N_OF(ci_platform_cols)},
    {"talent_counts", "人才数量", ci_talent_cols, N_OF(ci_talent_cols)},
    {"listing", "重点上市企业资源库", ci_listing_cols, N_OF(ci_listing_cols)},
};

static const CiKind *ci_kind(const char *code)
{
    for (size_t i = 0; code && i < N_OF(ci_kinds); i++) {
        if (strcmp(code, ci_kinds[i].code) == 0) {
            return &ci_kinds[i];
        }
    }
    return NULL;
}

json_t *carrier_import_kinds_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(ci_kinds); i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "value", ci_kinds[i].code,
                                        "label", ci_kinds[i].name));
    }
    return arr;
}

const char *carrier_import_kind_name(const char *kind)
{
    const CiKind *k = ci_kind(kind);

    return k ? k->name : NULL;
}

/* ---- reading ---- */

typedef struct CiRun {
    Db *db;
    const Actor *a;
    const CiKind *k;
    int map[IMPORT_FILE_ROW_CELLS]; /* cell -> column index, -1 = ignored */
    int seen_header;
    long rows, written;
    long n_new, n_updated, n_unchanged; /* update-by-key imports */
    json_t *errors;
    json_t *ignored;
    Err *e;
} CiRun;

static void ci_error(CiRun *r, long row, const char *column, const char *msg)
{
    if (json_array_size(r->errors) < CARRIER_IMPORT_MAX_ERRORS) {
        json_array_append_new(r->errors,
                              json_pack("{sIssss}", "row", (json_int_t)row,
                                        "column", column, "message", msg));
    }
}

/* Trimmed copy of a cell title for matching ("类型" == " 类型 "). */
static int ci_title_is(const char *cell, const char *title)
{
    char buf[256];

    if (valid_text(cell ? cell : "", 0, 60, buf, sizeof buf, "title", "表头",
                   NULL) != 0) {
        return 0;
    }
    return strcmp(buf, title) == 0;
}

/* A code from its code or zh-CN name, by the name function. */
static const char *ci_code(const char *v, const char *const *codes,
                           const char *(*name_of)(const char *))
{
    for (const char *const *c = codes; v && *c; c++) {
        const char *n = name_of(*c);
        if (strcmp(v, *c) == 0 || (n && strcmp(v, n) == 0)) {
            return *c;
        }
    }
    return v;
}

static const char *ci_type_name(const char *code)
{
    const CarrierType *t = carrier_type_find(code);

    return t ? t->name : NULL;
}

static const char *const ci_types[] = {
    "maker_space",   "incubator",    "accelerator",   "univ_park", "sci_park",
    "research_inst", "student_base", "sme_demo_base", NULL};
static const char *const ci_levels[] = {"national", "municipal", "district",
                                        NULL};
static const char *const ci_reasons[] = {"graduated", "moved", "deregistered",
                                         NULL};

/* A whole number cell (empty = absent). */
static int ci_int(const char *v, int *has, int64_t *out)
{
    char *end = NULL;
    long long x;

    *has = 0;
    if (!v || !*v) {
        return 0;
    }
    x = strtoll(v, &end, 10);
    if (*end || x < 0) {
        return -1;
    }
    *has = 1;
    *out = x;
    return 0;
}

static const char *ci_cell(const CiRun *r, const char *const *cells, size_t n,
                           const char *key)
{
    for (size_t i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
        if (r->map[i] >= 0 && strcmp(r->k->cols[r->map[i]].key, key) == 0) {
            return cells[i] && *cells[i] ? cells[i] : NULL;
        }
    }
    return NULL;
}

/* Update by key: a blank cell keeps what the record holds (a blank is
 * unknown, never "clear"); old is the record as read (its strings live
 * while old does). */
static void ci_keep_text(const json_t *old, const char *key, const char **v)
{
    if (!*v) {
        *v = json_string_value(json_object_get(old, key));
    }
}

static void ci_keep_int(const json_t *old, const char *key, int *has,
                        int64_t *v)
{
    const json_t *j = json_object_get(old, key);

    if (!*has && json_is_integer(j)) {
        *has = 1;
        *v = json_integer_value(j);
    }
}

static void ci_keep_id(const json_t *old, const char *key, int64_t *v)
{
    const json_t *j = json_object_get(old, key);

    if (*v == 0 && json_is_integer(j)) {
        *v = json_integer_value(j);
    }
}

static const char *ci_title_of(const CiKind *k, const char *field)
{
    for (size_t i = 0; field && i < k->n; i++) {
        if (strcmp(k->cols[i].key, field) == 0) {
            return k->cols[i].title;
        }
    }
    if (field && strcmp(field, "operator_enterprise_id") == 0) {
        return "运营企业统一社会信用代码";
    }
    if (field && strcmp(field, "host_enterprise_id") == 0) {
        return "依托企业统一社会信用代码";
    }
    if (field && strcmp(field, "id") == 0) {
        return k == &ci_kinds[CI_TENANTS] ? "载体名称" : "";
    }
    return field ? field : "";
}

static int ci_unit(CiRun *r, const char *name, int64_t *id)
{
    Err e;
    int rc = name ? db_query_int64(r->db, id, &e,
                                   "SELECT id FROM org_units WHERE name = $1 "
                                   "AND retired_at IS NULL ORDER BY id",
                                   "t", name)
                  : ERR_NOTFOUND;

    return rc;
}

static int ci_carrier_row(CiRun *r, long row, const char *const *cells,
                          size_t n, Err *e)
{
    CarrierInput in;
    const char *v;
    int rc = 0;

    memset(&in, 0, sizeof in);
    in.name = ci_cell(r, cells, n, "name");
    in.type = ci_code(ci_cell(r, cells, n, "type"), ci_types, ci_type_name);
    in.level =
        ci_code(ci_cell(r, cells, n, "level"), ci_levels, carrier_level_name);
    in.recognized_on = ci_cell(r, cells, n, "recognized_on");
    in.recognition_doc = ci_cell(r, cells, n, "recognition_doc");
    in.operator_name = ci_cell(r, cells, n, "operator_name");
    in.address = ci_cell(r, cells, n, "address");
    in.services = ci_cell(r, cells, n, "services");
    in.note = ci_cell(r, cells, n, "note");
    if (ci_int(ci_cell(r, cells, n, "area"), &in.has_area, &in.area) ||
        ci_int(ci_cell(r, cells, n, "incubation_area"), &in.has_incubation_area,
               &in.incubation_area) ||
        ci_int(ci_cell(r, cells, n, "staff"), &in.has_staff, &in.staff) ||
        ci_int(ci_cell(r, cells, n, "mentors"), &in.has_mentors, &in.mentors)) {
        ci_error(r, row, "面积、人数", "应为不小于 0 的整数");
        return 0;
    }
    v = ci_cell(r, cells, n, "unit_id");
    if (ci_unit(r, v, &in.unit_id)) {
        ci_error(r, row, "所属单位",
                 v ? "组织机构中没有这个单位" : "请填写所属单位");
        return 0;
    }
    v = ci_cell(r, cells, n, "operator_uscc");
    if (v) {
        Err fe;
        if (ent_find_uscc(r->db, r->a, v, &in.operator_enterprise_id, &fe)) {
            ci_error(r, row, "运营企业统一社会信用代码",
                     fe.code == ERR_INVALID ? fe.msg : "企业库中没有这家企业");
            return 0;
        }
    }
    if (!in.name || !in.type) {
        ci_error(r, row, !in.name ? "载体名称" : "类型", "不能为空");
        return 0;
    }
    /* the key is the name of a live carrier: update it, else create */
    {
        Err fe;
        int changed = 0;
        int64_t id = 0;
        int found = db_query_int64(r->db, &id, &fe,
                                   "SELECT id FROM carriers WHERE name = $1 "
                                   "AND retired_at IS NULL",
                                   "t", in.name) == 0;
        if (found) {
            json_t *cur = NULL;
            if (carrier_get(r->db, r->a, id, &cur, &fe) == 0) {
                ci_keep_text(cur, "level", &in.level);
                ci_keep_text(cur, "recognized_on", &in.recognized_on);
                ci_keep_text(cur, "recognition_doc", &in.recognition_doc);
                ci_keep_text(cur, "operator_name", &in.operator_name);
                ci_keep_id(cur, "operator_enterprise_id",
                           &in.operator_enterprise_id);
                ci_keep_text(cur, "address", &in.address);
                ci_keep_text(cur, "services", &in.services);
                ci_keep_text(cur, "note", &in.note);
                ci_keep_int(cur, "area", &in.has_area, &in.area);
                ci_keep_int(cur, "incubation_area", &in.has_incubation_area,
                            &in.incubation_area);
                ci_keep_int(cur, "staff", &in.has_staff, &in.staff);
                ci_keep_int(cur, "mentors", &in.has_mentors, &in.mentors);
            }
            rc = carrier_update_ex(r->db, r->a, id, &in, &changed, e);
            json_decref(cur);
        } else {
            rc = carrier_create(r->db, r->a, &in, NULL, e);
        }
        if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_NOTFOUND) {
            ci_error(r, row,
                     rc == ERR_NOTFOUND && found ? "载体名称"
                                                 : ci_title_of(r->k, e->field),
                     rc == ERR_NOTFOUND && found
                         ? "同名载体不在本单位范围内，不能更新"
                         : e->msg);
            err_clear(e);
            return 0;
        }
        if (rc == 0) {
            if (!found) {
                r->n_new++;
            } else if (changed) {
                r->n_updated++;
            } else {
                r->n_unchanged++;
            }
            r->written += !found || changed;
        }
    }
    return rc;
}

static int ci_tenant_row(CiRun *r, long row, const char *const *cells, size_t n,
                         Err *e)
{
    TenantInput in;
    const char *carrier = ci_cell(r, cells, n, "carrier");
    const char *uscc = ci_cell(r, cells, n, "enterprise_id");
    int64_t cid = 0;
    Err fe;
    int rc;

    memset(&in, 0, sizeof in);
    if (!carrier || db_query_int64(r->db, &cid, &fe,
                                   "SELECT id FROM carriers WHERE name = $1 "
                                   "AND retired_at IS NULL",
                                   "t", carrier)) {
        ci_error(r, row, "载体名称", carrier ? "没有这个载体" : "不能为空");
        return 0;
    }
    if (!uscc || ent_find_uscc(r->db, r->a, uscc, &in.enterprise_id, &fe)) {
        ci_error(r, row, "统一社会信用代码",
                 !uscc ? "不能为空"
                 : fe.code == ERR_INVALID
                     ? fe.msg
                     : "企业库中没有这家企业（或不在本单位范围内）");
        return 0;
    }
    in.moved_in = ci_cell(r, cells, n, "moved_in");
    in.moved_out = ci_cell(r, cells, n, "moved_out");
    in.out_reason = ci_code(ci_cell(r, cells, n, "out_reason"), ci_reasons,
                            carrier_reason_name);
    in.note = ci_cell(r, cells, n, "note");
    /* the key is carrier + enterprise + move-in date: update that tenancy,
     * else add one */
    {
        char din[DATE_ISO_SIZE];
        int64_t tid = 0;
        int found = 0, changed = 0;
        Err de;
        if (cu_date(in.moved_in, din, "moved_in", "入驻日期", &de) == 0 &&
            din[0]) {
            found = db_query_int64(r->db, &tid, &fe,
                                   "SELECT id FROM carrier_tenants WHERE "
                                   "carrier_id = $1 AND enterprise_id = $2 "
                                   "AND moved_in = $3 ORDER BY id",
                                   "iit", cid, in.enterprise_id, din) == 0;
        }
        if (found) {
            /* blank cells keep what the tenancy holds: a re-imported old
             * list does not move a tenant back in */
            DbStmt *ts = NULL;
            char *mo = NULL, *orr = NULL, *nt = NULL;
            rc = db_prepare_v(r->db, &ts, e,
                              "SELECT moved_out, out_reason, note FROM "
                              "carrier_tenants WHERE id = $1",
                              "i", tid);
            int step = rc == 0 ? db_step(ts, e) : DB_DONE;
            if (step != DB_ROW && step != DB_DONE) {
                rc = step;
            }
            if (step == DB_ROW) {
                mo = db_col_is_null(ts, 0) ? NULL : strdup(db_col_text(ts, 0));
                orr = db_col_is_null(ts, 1) ? NULL : strdup(db_col_text(ts, 1));
                nt = db_col_is_null(ts, 2) ? NULL : strdup(db_col_text(ts, 2));
            }
            db_finalize(ts);
            if (!in.moved_out) {
                in.moved_out = mo;
                if (!in.out_reason) {
                    in.out_reason = orr;
                }
            }
            if (!in.note) {
                in.note = nt;
            }
            if (rc == 0) {
                rc = carrier_tenant_update_ex(r->db, r->a, cid, tid, &in,
                                              &changed, e);
            }
            free(mo);
            free(orr);
            free(nt);
        } else {
            rc = carrier_tenant_add(r->db, r->a, cid, &in, NULL, e);
        }
        if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_NOTFOUND) {
            ci_error(r, row, ci_title_of(r->k, e->field), e->msg);
            err_clear(e);
            return 0;
        }
        if (rc == 0) {
            if (!found) {
                r->n_new++;
            } else if (changed) {
                r->n_updated++;
            } else {
                r->n_unchanged++;
            }
            r->written += !found || changed;
        }
    }
    return rc;
}

static const char *ci_pf_kind_name(const char *code)
{
    return platform_kind_name(code);
}
static const char *ci_pf_status_name(const char *code)
{
    return platform_status_name(code);
}
static const char *const ci_pf_kinds[] = {
    "key_lab",  "eng_center", "ent_tech_center", "new_rd", "academician",
    "alliance", NULL};
static const char *const ci_pf_statuses[] = {"valid", "revoked", "merged",
                                             NULL};
static const char *const ci_stages[] = {"cultivate", "tutoring", "filed",
                                        "approved",  "listed",   NULL};
static const char *const ci_boards[] = {"main", "chinext", "star",     "bse",
                                        "neeq", "hk",      "overseas", NULL};

/* A domain error of a row into the report (0), or a failure to stop on. */
static int ci_domain_rc(CiRun *r, long row, int rc, Err *e)
{
    if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_NOTFOUND) {
        ci_error(r, row, ci_title_of(r->k, e->field), e->msg);
        err_clear(e);
        return 0;
    }
    if (rc == 0) {
        r->written++;
    }
    return rc;
}

/* The enterprise of a row by its code (in a's scope); 0 with the error
 * reported when there is none. */
static int ci_ent(CiRun *r, long row, const char *uscc, const char *title,
                  int64_t *id)
{
    Err fe;

    if (!uscc) {
        ci_error(r, row, title, "不能为空");
        return 0;
    }
    if (ent_find_uscc(r->db, r->a, uscc, id, &fe)) {
        ci_error(r, row, title,
                 fe.code == ERR_INVALID
                     ? fe.msg
                     : "企业库中没有这家企业（或不在本单位范围内）");
        return 0;
    }
    return 1;
}

static int ci_platform_row(CiRun *r, long row, const char *const *cells,
                           size_t n, Err *e)
{
    PlatformInput in;
    const char *v;

    memset(&in, 0, sizeof in);
    in.name = ci_cell(r, cells, n, "name");
    in.kind =
        ci_code(ci_cell(r, cells, n, "kind"), ci_pf_kinds, ci_pf_kind_name);
    in.level =
        ci_code(ci_cell(r, cells, n, "level"), ci_levels, carrier_level_name);
    in.host_name = ci_cell(r, cells, n, "host_name");
    in.recognized_on = ci_cell(r, cells, n, "recognized_on");
    in.recognition_doc = ci_cell(r, cells, n, "recognition_doc");
    in.status = ci_code(ci_cell(r, cells, n, "status"), ci_pf_statuses,
                        ci_pf_status_name);
    in.status_on = ci_cell(r, cells, n, "status_on");
    in.note = ci_cell(r, cells, n, "note");
    v = ci_cell(r, cells, n, "unit_id");
    if (ci_unit(r, v, &in.unit_id)) {
        ci_error(r, row, "所属单位",
                 v ? "组织机构中没有这个单位" : "请填写所属单位");
        return 0;
    }
    v = ci_cell(r, cells, n, "host_uscc");
    if (v && !ci_ent(r, row, v, "依托企业统一社会信用代码",
                     &in.host_enterprise_id)) {
        return 0;
    }
    if (!in.name) {
        ci_error(r, row, "平台名称", "不能为空");
        return 0;
    }
    if (!in.kind || !in.level) {
        ci_error(r, row, !in.kind ? "类型" : "级别",
                 "不能为空，或不在代码表中");
        return 0;
    }
    /* the key is name + kind + level: update that platform, else create */
    {
        Err fe;
        DbStmt *st = NULL;
        int changed = 0, found = 0, rc;
        int64_t id = 0;
        rc = db_prepare_v(r->db, &st, &fe,
                          "SELECT id, merged_into FROM platforms WHERE name "
                          "= $1 AND kind = $2 AND level = $3 ORDER BY id",
                          "ttt", in.name, in.kind, in.level);
        if (rc == 0 && db_step(st, &fe) == DB_ROW) {
            found = 1;
            id = db_col_int64(st, 0);
            /* not a column of the file: kept */
            in.merged_into = db_col_is_null(st, 1) ? 0 : db_col_int64(st, 1);
        }
        db_finalize(st);
        if (rc) {
            return err_set(e, fe.code, fe.field, "%s", fe.msg);
        }
        {
            long w = r->written;
            json_t *cur = NULL;
            if (found && platform_get(r->db, r->a, id, &cur, &fe) == 0) {
                ci_keep_id(cur, "host_enterprise_id", &in.host_enterprise_id);
                ci_keep_text(cur, "host_name", &in.host_name);
                ci_keep_text(cur, "recognized_on", &in.recognized_on);
                ci_keep_text(cur, "recognition_doc", &in.recognition_doc);
                if (!in.status) {
                    ci_keep_text(cur, "status", &in.status);
                    ci_keep_text(cur, "status_on", &in.status_on);
                }
                ci_keep_text(cur, "note", &in.note);
            }
            rc = found ? platform_update_ex(r->db, r->a, id, &in, &changed, e)
                       : platform_create(r->db, r->a, &in, NULL, e);
            json_decref(cur);
            if (found && rc == ERR_NOTFOUND) {
                ci_error(r, row, "平台名称",
                         "同名平台不在本单位范围内，不能更新");
                err_clear(e);
                return 0;
            }
            rc = ci_domain_rc(r, row, rc, e);
            if (rc == 0 && r->written > w) {
                if (!found) {
                    r->n_new++;
                } else if (changed) {
                    r->n_updated++;
                } else {
                    r->n_unchanged++;
                    r->written--;
                }
            }
        }
        return rc;
    }
}

static int ci_talent_row(CiRun *r, long row, const char *const *cells, size_t n,
                         Err *e)
{
    static const char *const progs[] = {"haihe", "high_level", "leading",
                                        "doctor", "master"};
    const char *y = ci_cell(r, cells, n, "year");
    json_t *counts;
    int64_t ent = 0, year = 0;
    int has = 0, rc;

    if (!ci_ent(r, row, ci_cell(r, cells, n, "enterprise_id"),
                "统一社会信用代码", &ent)) {
        return 0;
    }
    if (ci_int(y, &has, &year) || !has) {
        ci_error(r, row, "年度", "应为四位年份");
        return 0;
    }
    counts = json_object();
    for (size_t i = 0; i < N_OF(progs); i++) {
        const char *v = ci_cell(r, cells, n, progs[i]);
        int64_t x = 0;
        int h = 0;
        if (ci_int(v, &h, &x)) {
            ci_error(r, row, talent_programme_name(progs[i]),
                     "应为不小于 0 的整数");
            json_decref(counts);
            return 0;
        }
        if (h) {
            json_object_set_new(counts, progs[i], json_integer(x));
        }
    }
    if (json_object_size(counts) == 0) {
        json_decref(counts);
        ci_error(r, row, "人数", "至少填写一类人才的人数");
        return 0;
    }
    rc = talent_counts_put(r->db, r->a, ent, (int)year, counts, e);
    json_decref(counts);
    return ci_domain_rc(r, row, rc, e);
}

static int ci_listing_row(CiRun *r, long row, const char *const *cells,
                          size_t n, Err *e)
{
    ListingInput in;
    int64_t ent = 0;

    memset(&in, 0, sizeof in);
    if (!ci_ent(r, row, ci_cell(r, cells, n, "enterprise_id"),
                "统一社会信用代码", &ent)) {
        return 0;
    }
    in.stage =
        ci_code(ci_cell(r, cells, n, "stage"), ci_stages, listing_stage_name);
    in.board =
        ci_code(ci_cell(r, cells, n, "board"), ci_boards, listing_board_name);
    in.sponsor = ci_cell(r, cells, n, "sponsor");
    in.entered_on = ci_cell(r, cells, n, "entered_on");
    in.stage_on = ci_cell(r, cells, n, "stage_on");
    in.listed_on = ci_cell(r, cells, n, "listed_on");
    in.note = ci_cell(r, cells, n, "note");
    return ci_domain_rc(r, row, listing_put(r->db, r->a, ent, &in, e), e);
}

static int ci_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    CiRun *r = ud;
    size_t errors;
    int rc;

    if (!r->seen_header) {
        r->seen_header = 1;
        for (size_t i = 0; i < IMPORT_FILE_ROW_CELLS; i++) {
            r->map[i] = -1;
        }
        for (size_t i = 0; i < n; i++) {
            size_t c;
            for (c = 0; c < r->k->n; c++) {
                if (ci_title_is(cells[i], r->k->cols[c].title)) {
                    r->map[i] = (int)c;
                    break;
                }
            }
            if (c == r->k->n && cells[i] && *cells[i]) {
                json_array_append_new(r->ignored, json_string(cells[i]));
            }
        }
        for (size_t c = 0; c < r->k->n; c++) {
            int found = 0;
            for (size_t i = 0; i < n; i++) {
                found |= r->map[i] == (int)c;
            }
            if (r->k->cols[c].required && !found) {
                ci_error(r, row, r->k->cols[c].title, "缺少这一列");
            }
        }
        return 0;
    }
    {
        int empty = 1;
        for (size_t i = 0; i < n; i++) {
            empty &= !cells[i] || !*cells[i];
        }
        if (empty) {
            return 0;
        }
    }
    r->rows++;
    if (r->rows > CARRIER_IMPORT_MAX_ROWS) {
        return err_set(e, ERR_TOOBIG, "file", "文件行数过多（最多 %d 行）",
                       CARRIER_IMPORT_MAX_ROWS);
    }
    /* each row under a savepoint: a refused row is undone while the
     * import goes on to report the others (on PostgreSQL a failed
     * statement would otherwise abort the whole transaction) */
    errors = json_array_size(r->errors);
    rc = db_savepoint(r->db, e);
    if (rc) {
        return rc;
    }
    switch ((int)(r->k - ci_kinds)) {
    case CI_CARRIERS:
        rc = ci_carrier_row(r, row, cells, n, e);
        break;
    case CI_TENANTS:
        rc = ci_tenant_row(r, row, cells, n, e);
        break;
    case CI_PLATFORMS:
        rc = ci_platform_row(r, row, cells, n, e);
        break;
    case CI_TALENT:
        rc = ci_talent_row(r, row, cells, n, e);
        break;
    default:
        rc = ci_listing_row(r, row, cells, n, e);
        break;
    }
    if (rc == 0 && json_array_size(r->errors) > errors) {
        rc = db_savepoint_rollback(r->db, e);
    } else if (rc == 0) {
        rc = db_savepoint_release(r->db, e);
    }
    return rc;
}

int carrier_import_file(Db *db, const Actor *a, const char *kind,
                        const char *path, int dry_run, json_t **report, Err *e)
{
    const CiKind *k = ci_kind(kind);
    long *rows = NULL;
    CiRun r;
    int rc;

    *report = NULL;
    if (!k) {
        return err_set(e, ERR_INVALID, "kind",
                       "导入类型应为 carriers（载体）、tenants（入驻企业）、"
                       "platforms（创新平台）、talent_counts（人才数量）或 "
                       "listing（重点上市企业资源库）");
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入");
    }
    memset(&r, 0, sizeof r);
    r.db = db;
    r.a = a;
    r.k = k;
    r.e = e;
    r.errors = json_array();
    r.ignored = json_array();
    rows = xmalloc(sizeof *rows * (CARRIER_IMPORT_MAX_ROWS + 2));
    for (long i = 0; i < CARRIER_IMPORT_MAX_ROWS + 2; i++) {
        rows[i] = i + 2;
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = import_file_rows(path, 1, rows, CARRIER_IMPORT_MAX_ROWS + 2,
                              ci_row, &r, e);
    }
    if (rc == 0 && !r.seen_header) {
        rc = err_set(e, ERR_INVALID, "file", "文件是空的");
    }
    if (rc == 0 && !dry_run && json_array_size(r.errors) == 0) {
        rc = db_commit(db, e);
    } else {
        db_rollback(db);
    }
    if (rc == 0) {
        *report = json_pack(
            "{sssIsIsbsOsO}", "kind", k->code, "rows", (json_int_t)r.rows,
            "written",
            (json_int_t)(dry_run || json_array_size(r.errors) ? 0 : r.written),
            "dry_run", dry_run, "errors", r.errors, "ignored_columns",
            r.ignored);
        if (*report && ((r.k - ci_kinds) == CI_CARRIERS ||
                        (r.k - ci_kinds) == CI_TENANTS ||
                        (r.k - ci_kinds) == CI_PLATFORMS)) {
            /* what the file does (or would do, in a dry run) */
            json_object_set_new(*report, "new", json_integer(r.n_new));
            json_object_set_new(*report, "updated", json_integer(r.n_updated));
            json_object_set_new(*report, "unchanged",
                                json_integer(r.n_unchanged));
        }
    }
    json_decref(r.errors);
    json_decref(r.ignored);
    free(rows);
    return rc;
}

int carrier_import_template(const char *kind, int format, Buf *out, Err *e)
{
    const CiKind *k = ci_kind(kind);
    const char *titles[32] = {0};
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    int rc;

    if (!k || k->n > 32) {
        return err_set(e, ERR_INVALID, "kind", "没有这种导入");
    }
    for (size_t i = 0; i < k->n; i++) {
        titles[i] = k->cols[i].title;
    }
    if (format == 1) {
        buf_append_str(out, "\xEF\xBB\xBF");
        for (size_t i = 0; i < k->n; i++) {
            if (i) {
                buf_append_char(out, ',');
            }
            buf_append_str(out, titles[i]);
        }
        buf_append_str(out, "\r\n");
        return out->err ? err_set(e, ERR_TOOBIG, NULL, "模板过大") : 0;
    }
    rc = xlsx_writer_new_mem(&w, e);
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, k->name, &s, e);
    }
    if (rc == 0) {
        rc = xlsx_write_header(s, 0, titles, k->n, e);
    }
    /* notes on a sheet of their own: the first sheet holds only the
     * header, so the template imports as it is */
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, "填写说明", &s, e);
    }
    if (rc == 0) {
        static const char *const nt[] = {"列", "说明"};
        rc = xlsx_write_header(s, 0, nt, 2, e);
    }
    for (size_t i = 0; rc == 0 && i < k->n; i++) {
        char note[256];
        snprintf(note, sizeof note, "%s%s", k->cols[i].required ? "必填。" : "",
                 k->cols[i].note ? k->cols[i].note : "");
        rc = xlsx_write_str(s, (uint32_t)i + 1, 0, k->cols[i].title, e);
        if (rc == 0) {
            rc = xlsx_write_str(s, (uint32_t)i + 1, 1, note, e);
        }
    }
    if (rc == 0) {
        return xlsx_writer_close_mem(w, out, e);
    }
    xlsx_writer_free(w);
    return rc;
}
