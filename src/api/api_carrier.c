/* api_carrier.c - carriers and tenants, yearly sheets and the ranking,
 * platforms and their counts, talent, listing candidates
 * (/api/v1/carriers ..., see src/domain/carrier/). Lists answer
 * {"items", "total"} and export CSV / XLSX with ?format= through
 * api_export. Money in bodies is 万元 text; responses carry 元 integers or
 * *_wan strings. */
#include "api/api.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_import.h"
#include "domain/carrier/carrier_sheet.h"
#include "domain/carrier/people.h"
#include "domain/carrier/platform.h"
#include "domain/io/import.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

/* ---- helpers ---- */

/* Optional integer field; JSON null counts as absent. */
static int api_cr_int(Ctx *c, const char *field, int64_t min, int64_t max,
                      int *has, int64_t *out, Err *e)
{
    json_t *v = json_object_get(c->json, field);

    *has = 0;
    *out = 0;
    if (!v || json_is_null(v)) {
        return 0;
    }
    *has = 1;
    return ctx_json_int(c, field, 0, min, max, out, NULL, e);
}

/* Optional string field; JSON null counts as absent (NULL). */
static int api_cr_str(Ctx *c, const char *field, size_t max, const char **out,
                      Err *e)
{
    json_t *v = json_object_get(c->json, field);

    *out = NULL;
    if (!v || json_is_null(v)) {
        return 0;
    }
    return ctx_json_str(c, field, 0, max, out, NULL, e);
}

static int api_cr_year(Ctx *c, int *year, Err *e)
{
    const char *s = ctx_param(c, "year");
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;

    if (!s || !*s || *end || v < 1900 || v > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应为 1900～2999 的整数");
    }
    *year = (int)v;
    return 0;
}

static int api_cr_query_year(Ctx *c, int *year, Err *e)
{
    int64_t y = 0;
    char now[CLOCK_ISO_LEN];
    int rc;

    clock_now_iso(now, 0);
    rc = ctx_query_int(c, "year", strtol(now, NULL, 10) - 1, 1900, 2999, &y, e);
    *year = (int)y;
    return rc;
}

int api_carrier_reference(Ctx *c, Err *e)
{
    json_t *o = carrier_reference_json();

    (void)e;
    /* what POST /carrier-imports/{kind} reads, named as its reports are */
    json_object_set_new(o, "import_kinds", carrier_import_kinds_json());
    return ctx_reply_json(c, 200, o);
}

/* ---- carriers ---- */

static const ApiItemCol carrier_cols[] = {
    {"id", "编号", API_COL_INT},
    {"name", "载体名称", API_COL_TEXT},
    {"type_name", "类型", API_COL_TEXT},
    {"level_name", "级别", API_COL_TEXT},
    {"recognized_on", "认定日期", API_COL_DATE},
    {"recognition_doc", "认定文件", API_COL_TEXT},
    {"operator_enterprise_name", "运营企业", API_COL_TEXT},
    {"operator_uscc", "运营企业统一社会信用代码", API_COL_TEXT},
    {"operator_name", "运营机构", API_COL_TEXT},
    {"unit_name", "所属单位", API_COL_TEXT},
    {"address", "地址", API_COL_TEXT},
    {"area", "面积（㎡）", API_COL_INT},
    {"incubation_area", "孵化面积（㎡）", API_COL_INT},
    {"staff", "管理服务人员数", API_COL_INT},
    {"mentors", "创业导师数", API_COL_INT},
    {"tenants_now", "当前在孵企业数", API_COL_INT},
    {"services", "服务内容", API_COL_TEXT},
    {"note", "备注", API_COL_TEXT},
};

int api_carriers_list(Ctx *c, Err *e)
{
    CarrierFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc;

    memset(&f, 0, sizeof f);
    f.type = ctx_query(c, "type");
    f.level = ctx_query(c, "level");
    f.q = ctx_query(c, "q");
    f.sort = ctx_query(c, "sort");
    f.include_retired = ctx_query(c, "include_retired") &&
                        strcmp(ctx_query(c, "include_retired"), "true") == 0;
    rc = api_export_format(c, &format, e);
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = carrier_list(c->db, &c->actor, &f, format ? 0 : p.offset,
                          format ? 100000 : p.size, &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, items, carrier_cols,
                              N_OF(carrier_cols), "载体", e);
        json_decref(items);
        return rc;
    }
    return ctx_reply_page(c, items, total, NULL);
}

static int api_carrier_input(Ctx *c, CarrierInput *in, Err *e)
{
    static const char *const fields[] = {"name",
                                         "type",
                                         "level",
                                         "recognized_on",
                                         "recognition_doc",
                                         "operator_enterprise_id",
                                         "operator_name",
                                         "unit_id",
                                         "address",
                                         "area",
                                         "incubation_area",
                                         "services",
                                         "staff",
                                         "mentors",
                                         "note",
                                         NULL};
    int has = 0;
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, CARRIER_NAME_MAX, &in->name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "type", 1, 32, &in->type, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "level", 32, &in->level, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "recognized_on", 32, &in->recognized_on, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "recognition_doc", CARRIER_TEXT_MAX,
                        &in->recognition_doc, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "operator_enterprise_id", 1, INT64_MAX, &has,
                        &in->operator_enterprise_id, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "operator_name", CARRIER_TEXT_MAX,
                        &in->operator_name, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 1, 1, INT64_MAX, &in->unit_id, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "address", CARRIER_TEXT_MAX, &in->address, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "area", 0, 100000000, &in->has_area, &in->area, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "incubation_area", 0, 100000000,
                        &in->has_incubation_area, &in->incubation_area, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "services", CARRIER_NOTE_MAX, &in->services, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "staff", 0, 1000000, &in->has_staff, &in->staff, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "mentors", 0, 1000000, &in->has_mentors,
                        &in->mentors, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in->note, e);
    }
    return rc;
}

int api_carriers_create(Ctx *c, Err *e)
{
    CarrierInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc = api_carrier_input(c, &in, e);

    if (rc == 0) {
        rc = carrier_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = carrier_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_carriers_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = carrier_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_carriers_update(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0 && c->json && json_object_get(c->json, "retire_reason")) {
        static const char *const fields[] = {"retire_reason", NULL};
        const char *reason = NULL;
        rc = ctx_json_fields(c, fields, e);
        if (rc == 0) {
            rc = ctx_json_str(c, "retire_reason", 1, 200, &reason, NULL, e);
        }
        if (rc == 0) {
            rc = carrier_retire(c->db, &c->actor, id, reason, e);
        }
    } else if (rc == 0) {
        CarrierInput in;
        rc = api_carrier_input(c, &in, e);
        if (rc == 0) {
            rc = carrier_update(c->db, &c->actor, id, &in, e);
        }
    }
    if (rc == 0) {
        rc = carrier_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- tenants ---- */

static const ApiItemCol tenant_cols[] = {
    {"id", "编号", API_COL_INT},
    {"carrier_name", "载体名称", API_COL_TEXT},
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"moved_in", "入驻日期", API_COL_DATE},
    {"moved_out", "迁出日期", API_COL_DATE},
    {"out_reason_name", "迁出原因", API_COL_TEXT},
    {"note", "备注", API_COL_TEXT},
};

int api_carrier_tenants_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int format = 0;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = carrier_tenant_list(c->db, &c->actor, id, ctx_query(c, "as_of"),
                                 &items, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, items, tenant_cols, N_OF(tenant_cols),
                              "入驻企业", e);
        json_decref(items);
        return rc;
    }
    return ctx_reply_list(c, items);
}

static int api_tenant_input(Ctx *c, TenantInput *in, int creating, Err *e)
{
    static const char *const fields[] = {
        "enterprise_id", "moved_in", "moved_out", "out_reason", "note", NULL};
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0 && creating) {
        rc = ctx_json_int(c, "enterprise_id", 1, 1, INT64_MAX,
                          &in->enterprise_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "moved_in", 1, 32, &in->moved_in, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "moved_out", 32, &in->moved_out, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "out_reason", 32, &in->out_reason, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in->note, e);
    }
    return rc;
}

static json_t *api_pick(json_t *items, int64_t id)
{
    size_t i;
    json_t *it;

    json_array_foreach(items, i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id) {
            return json_incref(it);
        }
    }
    return NULL;
}

int api_carrier_tenants_create(Ctx *c, Err *e)
{
    json_t *items = NULL, *out;
    TenantInput in;
    int64_t id, tid = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_tenant_input(c, &in, 1, e);
    }
    if (rc == 0) {
        rc = carrier_tenant_add(c->db, &c->actor, id, &in, &tid, e);
    }
    if (rc == 0) {
        rc = carrier_tenant_list(c->db, &c->actor, id, NULL, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_pick(items, tid);
    json_decref(items);
    return ctx_reply_json(c, 201, out ? out : json_object());
}

int api_carrier_tenants_update(Ctx *c, Err *e)
{
    json_t *items = NULL, *out;
    TenantInput in;
    int64_t id, tid = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = ctx_param_id(c, "tenant_id", &tid, e);
    }
    if (rc == 0) {
        rc = api_tenant_input(c, &in, 0, e);
    }
    if (rc == 0) {
        rc = carrier_tenant_update(c->db, &c->actor, id, tid, &in, e);
    }
    if (rc == 0) {
        rc = carrier_tenant_list(c->db, &c->actor, id, NULL, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_pick(items, tid);
    json_decref(items);
    return ctx_reply_json(c, 200, out ? out : json_object());
}

int api_ent_tenancies(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = carrier_tenant_list_ent(c->db, &c->actor, id, &items, e);
    }
    return rc ? rc : ctx_reply_list(c, items);
}

int api_carrier_graduation(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id, tid = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = ctx_query_int(c, "tenant_id", 0, 0, INT64_MAX, &tid, e);
    }
    if (rc == 0) {
        rc = carrier_graduation(c->db, &c->actor, id, tid,
                                ctx_query(c, "as_of"), &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- yearly sheet and ranking ---- */

/* The sheet in the bureau's layout: 序号, 指标, 单位, 数值, 数据来源. */
static int api_sheet_export(Ctx *c, int format, json_t *sheet, Err *e)
{
    static const char *const titles[] = {"序号", "指标", "单位", "数值",
                                         "数据来源"};
    static const unsigned char kinds[] = {
        API_COL_INT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT};
    json_t *rows = json_object_get(sheet, "rows");
    const char *name = json_string_value(
        json_object_get(json_object_get(sheet, "carrier"), "name"));
    char fname[256];
    ApiExport x;
    json_t *r;
    size_t i;
    int rc;

    snprintf(fname, sizeof fname, "%s-%lld年度指标", name ? name : "载体",
             (long long)json_integer_value(json_object_get(sheet, "year")));
    rc = api_export_begin(&x, format, titles, kinds, N_OF(titles), fname, e);
    if (rc) {
        return rc;
    }
    json_array_foreach(rows, i, r)
    {
        char no[16], val[64];
        const char *cells[5];
        json_t *v = json_object_get(r, "value");
        snprintf(no, sizeof no, "%lld",
                 (long long)json_integer_value(json_object_get(r, "no")));
        if (json_is_integer(v)) {
            snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v));
        } else {
            snprintf(val, sizeof val, "%s",
                     json_is_string(v) ? json_string_value(v) : "未填报");
        }
        cells[0] = no;
        cells[1] = json_string_value(json_object_get(r, "name"));
        cells[2] = json_string_value(json_object_get(r, "unit"));
        cells[3] = val;
        cells[4] = json_string_value(json_object_get(r, "source"));
        rc = api_export_row(&x, cells, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
    }
    return api_export_reply(c, &x, fname, e);
}

int api_carrier_sheet_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int format = 0;
    int64_t id;
    int year = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_cr_year(c, &year, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = carrier_sheet_get(c->db, &c->actor, id, year, &out, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_sheet_export(c, format, out, e);
        json_decref(out);
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_carrier_sheet_put(Ctx *c, Err *e)
{
    static const char *const fields[] = {"values", "note", NULL};
    const char *note = NULL;
    json_t *out = NULL;
    int64_t id;
    int year = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_cr_year(c, &year, e);
    }
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &note, e);
    }
    if (rc == 0) {
        rc = carrier_sheet_put(c->db, &c->actor, id, year,
                               json_object_get(c->json, "values"), note, e);
    }
    if (rc == 0) {
        rc = carrier_sheet_get(c->db, &c->actor, id, year, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

#define API_CARRIER_YEARS_MAX 30

int api_carrier_years(Ctx *c, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *carrier = NULL, *items;
    int64_t id, from = 0, to = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = ctx_query_int(c, "to", strtol(now, NULL, 10), 1900, 2999, &to, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "from", to - 6, 1900, 2999, &from, e);
    }
    if (rc == 0 && (from > to || to - from >= API_CARRIER_YEARS_MAX)) {
        rc = err_set(e, ERR_INVALID, "from", "年度区间应为 1～%d 年",
                     API_CARRIER_YEARS_MAX);
    }
    if (rc == 0) {
        rc = carrier_get(c->db, &c->actor, id, &carrier, e);
    }
    json_decref(carrier);
    if (rc) {
        return rc;
    }
    items = json_array();
    for (int64_t y = from; y <= to && rc == 0; y++) {
        CarrierSheet s;
        rc = carrier_sheet_compute(c->db, (int)y, &id, 1, &s, e);
        if (rc == 0) {
            json_array_append_new(
                items, json_pack("{sIsIsIsIsIsIsI}", "year", (json_int_t)y,
                                 "tenants", (json_int_t)s.v[CS_TENANTS],
                                 "tenants_end", (json_int_t)s.v[CS_TENANTS_END],
                                 "new_tenants", (json_int_t)s.v[CS_NEW],
                                 "graduates", (json_int_t)s.v[CS_GRADUATES],
                                 "left", (json_int_t)s.v[CS_LEFT], "hnte_new",
                                 (json_int_t)s.v[CS_HNTE_NEW]));
        }
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_carrier_ranking(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"rank", "名次", API_COL_INT},
        {"name", "载体名称", API_COL_TEXT},
        {"type_name", "类型", API_COL_TEXT},
        {"score_text", "得分", API_COL_DEC},
        {"values.tenants_end", "年末在孵企业数", API_COL_INT},
        {"values.new_tenants", "新入驻企业数", API_COL_INT},
        {"values.graduates", "毕业企业数", API_COL_INT},
        {"values.hnte_new", "新认定高企数", API_COL_INT},
        {"values.sme_new", "新入库科小数", API_COL_INT},
        {"values.chuying_new", "新评价雏鹰数", API_COL_INT},
        {"values.ip_granted", "授权知识产权数", API_COL_INT},
        {"values.financing", "融资额（万元）", API_COL_WAN},
        {"flagged", "有进有出：末位", API_COL_TEXT},
    };
    json_t *out = NULL;
    int format = 0;
    int year = 0;
    int rc = api_cr_query_year(c, &year, e);

    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = carrier_ranking(c->db, &c->actor, year, ctx_query(c, "scheme"),
                             ctx_query(c, "type"), &out, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, json_object_get(out, "items"), cols,
                              N_OF(cols), "载体评价排名", e);
        json_decref(out);
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

/* ---- platforms ---- */

static const ApiItemCol platform_cols[] = {
    {"id", "编号", API_COL_INT},
    {"name", "平台名称", API_COL_TEXT},
    {"kind_name", "类型", API_COL_TEXT},
    {"level_name", "级别", API_COL_TEXT},
    {"host_enterprise_name", "依托企业", API_COL_TEXT},
    {"host_uscc", "依托企业统一社会信用代码", API_COL_TEXT},
    {"host_name", "依托单位", API_COL_TEXT},
    {"unit_name", "所属单位", API_COL_TEXT},
    {"recognized_on", "认定日期", API_COL_DATE},
    {"recognition_doc", "认定文件", API_COL_TEXT},
    {"status_name", "状态", API_COL_TEXT},
    {"status_on", "撤销/合并日期", API_COL_DATE},
    {"members", "成员企业数", API_COL_INT},
    {"note", "备注", API_COL_TEXT},
};

int api_platforms_list(Ctx *c, Err *e)
{
    PlatformFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc;

    memset(&f, 0, sizeof f);
    f.kind = ctx_query(c, "kind");
    f.level = ctx_query(c, "level");
    f.status = ctx_query(c, "status");
    f.q = ctx_query(c, "q");
    f.sort = ctx_query(c, "sort");
    rc = api_export_format(c, &format, e);
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = platform_list(c->db, &c->actor, &f, format ? 0 : p.offset,
                           format ? 100000 : p.size, &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, items, platform_cols,
                              N_OF(platform_cols), "创新平台", e);
        json_decref(items);
        return rc;
    }
    return ctx_reply_page(c, items, total, NULL);
}

static int api_platform_input(Ctx *c, PlatformInput *in, Err *e)
{
    static const char *const fields[] = {
        "kind",      "name",      "level",         "host_enterprise_id",
        "host_name", "unit_id",   "recognized_on", "recognition_doc",
        "status",    "status_on", "merged_into",   "note",
        NULL};
    int has = 0;
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 32, &in->kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, CARRIER_NAME_MAX, &in->name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "level", 1, 32, &in->level, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "host_enterprise_id", 1, INT64_MAX, &has,
                        &in->host_enterprise_id, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "host_name", CARRIER_TEXT_MAX, &in->host_name, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 1, 1, INT64_MAX, &in->unit_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "recognized_on", 1, 32, &in->recognized_on, NULL,
                          e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "recognition_doc", CARRIER_TEXT_MAX,
                        &in->recognition_doc, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "status", 32, &in->status, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "status_on", 32, &in->status_on, e);
    }
    if (rc == 0) {
        rc = api_cr_int(c, "merged_into", 1, INT64_MAX, &has, &in->merged_into,
                        e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in->note, e);
    }
    return rc;
}

int api_platforms_create(Ctx *c, Err *e)
{
    PlatformInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc = api_platform_input(c, &in, e);

    if (rc == 0) {
        rc = platform_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = platform_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_platforms_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = platform_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_platforms_update(Ctx *c, Err *e)
{
    PlatformInput in;
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_platform_input(c, &in, e);
    }
    if (rc == 0) {
        rc = platform_update(c->db, &c->actor, id, &in, e);
    }
    if (rc == 0) {
        rc = platform_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_platform_members_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"enterprise_id", "joined_on", NULL};
    const char *joined = NULL;
    json_t *out = NULL;
    int64_t id, ent = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "enterprise_id", 1, 1, INT64_MAX, &ent, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "joined_on", 32, &joined, e);
    }
    if (rc == 0) {
        rc = platform_member_add(c->db, &c->actor, id, ent, joined, e);
    }
    if (rc == 0) {
        rc = platform_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_platform_counts(Ctx *c, Err *e)
{
    char now[CLOCK_ISO_LEN];
    const char *d = ctx_query(c, "as_of");
    json_t *out = NULL;
    int rc;

    clock_now_iso(now, 0);
    now[10] = '\0';
    rc = platform_count_on(c->db, &c->actor, d && *d ? d : now, &out, e);
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- talent ---- */

int api_talent_counts_list(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"enterprise_name", "企业名称", API_COL_TEXT},
        {"uscc", "统一社会信用代码", API_COL_TEXT},
        {"unit_name", "所属单位", API_COL_TEXT},
        {"year", "年度", API_COL_INT},
        {"counts.haihe", "海河英才（引进）", API_COL_INT},
        {"counts.high_level", "高层次人才", API_COL_INT},
        {"counts.leading", "领军人才", API_COL_INT},
        {"counts.doctor", "博士", API_COL_INT},
        {"counts.master", "硕士", API_COL_INT},
        {"total", "合计", API_COL_INT},
    };
    json_t *items = NULL, *sums = NULL;
    int64_t total = 0, year = 0, ent = 0;
    int format = 0;
    Page p;
    int rc = api_export_format(c, &format, e);

    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "year", 0, 0, 2999, &year, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX, &ent, e);
    }
    if (rc == 0) {
        rc = talent_counts_list(
            c->db, &c->actor, (int)year, ent, format ? 0 : p.offset,
            format ? 1000000 : p.size, &items, &total, &sums, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc =
            api_items_export(c, format, items, cols, N_OF(cols), "人才数量", e);
        json_decref(items);
        json_decref(sums);
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIso}", "items", items, "total",
                                    (json_int_t)total, "sums", sums));
}

int api_talent_counts_put(Ctx *c, Err *e)
{
    static const char *const fields[] = {"counts", NULL};
    json_t *items = NULL, *sums = NULL;
    int64_t id, total = 0;
    int year = 0;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = api_cr_year(c, &year, e);
    }
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = talent_counts_put(c->db, &c->actor, id, year,
                               json_object_get(c->json, "counts"), e);
    }
    if (rc == 0) {
        rc = talent_counts_list(c->db, &c->actor, year, id, 0, 1, &items,
                                &total, &sums, e);
    }
    if (rc) {
        return rc;
    }
    json_decref(sums);
    {
        json_t *one = json_incref(json_array_get(items, 0));
        json_decref(items);
        return ctx_reply_json(c, 200, one ? one : json_object());
    }
}

static const ApiItemCol talent_cols[] = {
    {"name", "姓名", API_COL_TEXT},
    {"programme_name", "人才类别", API_COL_TEXT},
    {"batch", "批次", API_COL_TEXT},
    {"enterprise_name", "工作单位", API_COL_TEXT},
    {"field", "专业领域", API_COL_TEXT},
    {"note", "备注", API_COL_TEXT},
};

int api_talents_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t ent = 0;
    int format = 0;
    int rc = api_export_format(c, &format, e);

    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX, &ent, e);
    }
    if (rc == 0) {
        rc = talent_list(c->db, &c->actor, ent, ctx_query(c, "programme"), 1,
                         &items, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, items, talent_cols, N_OF(talent_cols),
                              "高层次人才", e);
        json_decref(items);
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_talents_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"name",  "programme", "batch",
                                         "field", "note",      NULL};
    TalentInput in;
    json_t *items = NULL, *out;
    int64_t ent, id = 0;
    int rc = ctx_param_id(c, "id", &ent, e);

    memset(&in, 0, sizeof in);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, 50, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "programme", 1, 32, &in.programme, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "batch", 50, &in.batch, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "field", 100, &in.field, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in.note, e);
    }
    if (rc == 0) {
        rc = talent_create(c->db, &c->actor, ent, &in, &id, e);
    }
    if (rc == 0) {
        rc = talent_list(c->db, &c->actor, ent, NULL, 0, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_pick(items, id);
    json_decref(items);
    return ctx_reply_json(c, 201, out ? out : json_object());
}

int api_talents_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"name",  "programme", "batch",
                                         "field", "note",      NULL};
    TalentInput in;
    json_t *items = NULL, *out = NULL;
    int64_t ent, id = 0;
    size_t i;
    json_t *it;
    int rc = ctx_param_id(c, "id", &ent, e);

    if (rc == 0) {
        rc = ctx_param_id(c, "talent_id", &id, e);
    }
    memset(&in, 0, sizeof in);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, 50, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "programme", 1, 32, &in.programme, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "batch", 50, &in.batch, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "field", 100, &in.field, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in.note, e);
    }
    if (rc == 0) {
        rc = talent_update(c->db, &c->actor, ent, id, &in, e);
    }
    if (rc == 0) {
        rc = talent_list(c->db, &c->actor, ent, NULL, 0, &items, e);
    }
    if (rc) {
        return rc;
    }
    json_array_foreach(items, i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id) {
            out = json_incref(it);
        }
    }
    json_decref(items);
    return ctx_reply_json(c, 200, out ? out : json_object());
}

int api_talents_retire(Ctx *c, Err *e)
{
    int64_t ent, id = 0;
    int rc = ctx_param_id(c, "id", &ent, e);

    if (rc == 0) {
        rc = ctx_param_id(c, "talent_id", &id, e);
    }
    if (rc == 0) {
        rc =
            talent_retire(c->db, &c->actor, ent, id, ctx_query(c, "reason"), e);
    }
    return rc ? rc : ctx_reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

/* ---- listing candidates ---- */

static const ApiItemCol listing_cols[] = {
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"unit_name", "所属单位", API_COL_TEXT},
    {"stage_name", "上市阶段", API_COL_TEXT},
    {"board_name", "拟上市板块", API_COL_TEXT},
    {"sponsor", "保荐机构", API_COL_TEXT},
    {"entered_on", "入库日期", API_COL_DATE},
    {"stage_on", "进入本阶段日期", API_COL_DATE},
    {"listed_on", "上市日期", API_COL_DATE},
    {"note", "备注", API_COL_TEXT},
};

int api_listing_list(Ctx *c, Err *e)
{
    json_t *items = NULL, *counts = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc = api_export_format(c, &format, e);

    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = listing_list(c->db, &c->actor, ctx_query(c, "stage"),
                          format ? 0 : p.offset, format ? 100000 : p.size,
                          &items, &total, &counts, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_items_export(c, format, items, listing_cols,
                              N_OF(listing_cols), "重点上市企业资源库", e);
        json_decref(items);
        json_decref(counts);
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIso}", "items", items, "total",
                                    (json_int_t)total, "counts", counts));
}

int api_listing_put(Ctx *c, Err *e)
{
    static const char *const fields[] = {"stage",      "board",    "sponsor",
                                         "entered_on", "stage_on", "listed_on",
                                         "note",       NULL};
    json_t *items = NULL, *counts = NULL, *out = NULL;
    ListingInput in;
    int64_t id, total = 0;
    size_t i;
    json_t *it;
    int rc = ctx_param_id(c, "id", &id, e);

    memset(&in, 0, sizeof in);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "stage", 1, 32, &in.stage, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "board", 32, &in.board, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "sponsor", 100, &in.sponsor, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "entered_on", 1, 32, &in.entered_on, NULL, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "stage_on", 32, &in.stage_on, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "listed_on", 32, &in.listed_on, e);
    }
    if (rc == 0) {
        rc = api_cr_str(c, "note", CARRIER_NOTE_MAX, &in.note, e);
    }
    if (rc == 0) {
        rc = listing_put(c->db, &c->actor, id, &in, e);
    }
    if (rc == 0) {
        rc = listing_list(c->db, &c->actor, NULL, 0, 100000, &items, &total,
                          &counts, e);
    }
    if (rc) {
        return rc;
    }
    json_array_foreach(items, i, it)
    {
        if (json_integer_value(json_object_get(it, "enterprise_id")) == id) {
            out = json_incref(it);
        }
    }
    json_decref(items);
    json_decref(counts);
    return ctx_reply_json(c, 200, out ? out : json_object());
}

int api_listing_subsidies(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = listing_subsidies(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- imports ---- */

int api_carrier_import_template(Ctx *c, Err *e)
{
    const char *kind = ctx_param(c, "kind");
    const char *f = ctx_query(c, "format");
    int csv = f && strcmp(f, "csv") == 0;
    char name[64];
    Buf out;
    int rc;

    if (f && *f && !csv && strcmp(f, "xlsx") != 0) {
        return err_set(e, ERR_INVALID, "format", "模板格式应为 csv 或 xlsx");
    }
    if (!carrier_import_kind_name(kind)) {
        return err_set(e, ERR_NOTFOUND, "kind", "没有这种导入");
    }
    buf_init(&out, 0);
    rc = carrier_import_template(kind, csv ? 1 : 2, &out, e);
    if (rc == 0) {
        snprintf(name, sizeof name, "%s导入模板.%s",
                 carrier_import_kind_name(kind), csv ? "csv" : "xlsx");
        rc = ctx_reply_bytes(
            c, 200,
            csv ? "text/csv; charset=utf-8"
                : "application/"
                  "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.data, out.len, name);
    }
    buf_release(&out);
    return rc;
}

int api_carrier_import(Ctx *c, Err *e)
{
    const char *kind = ctx_param(c, "kind");
    const char *dry = ctx_query(c, "dry_run");
    char dir[APP_PATH_MAX], path[APP_PATH_MAX + 32];
    json_t *report = NULL;
    int dry_run = dry && (strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0);
    int fd = -1, rc;

    if (!carrier_import_kind_name(kind)) {
        return err_set(e, ERR_NOTFOUND, "kind", "没有这种导入");
    }
    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (c->req->body_path) {
        rc = carrier_import_file(c->db, &c->actor, kind, c->req->body_path,
                                 dry_run, &report, e);
    } else {
        rc = import_stage_dir(c->app->db_location, dir, sizeof dir, e);
        if (rc == 0) {
            snprintf(path, sizeof path, "%s/carrier-XXXXXX", dir);
            fd = mkstemp(path);
            if (fd < 0 || write(fd, c->req->body, c->req->body_len) !=
                              (ssize_t)c->req->body_len) {
                rc = err_set(e, ERR_IO, NULL, "无法暂存上传的文件");
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        if (rc == 0) {
            rc = carrier_import_file(c->db, &c->actor, kind, path, dry_run,
                                     &report, e);
        }
        if (fd >= 0) {
            unlink(path);
        }
    }
    return rc ? rc : ctx_reply_json(c, 200, report);
}
