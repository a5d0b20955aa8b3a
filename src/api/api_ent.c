/* api_ent.c - the enterprise library: enterprises and their yearly
 * figures. Money in request bodies and filters is 万元 as a decimal string
 * (exact, money_parse_wan); responses carry 元 integers and *_wan strings. */
#include "api/api.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "base/mem.h"
#include "base/money.h"
#include "domain/accounts/labels.h"
#include "domain/eligibility/catalogue.h"
#include "domain/io/columns.h"
#include "domain/library/ent.h"
#include "domain/library/ent_year.h"
#include "domain/library/fact.h"
#include "domain/library/industry.h"
#include "domain/library/ip.h"
#include "domain/library/recrule.h"
#include "domain/qual/qual.h"

/* Is field present with a JSON null? */
static int api_ent_is_null(const Ctx *c, const char *field)
{
    json_t *v = c->json ? json_object_get(c->json, field) : NULL;

    return v && json_is_null(v);
}

/* A boolean query parameter ("true"/"1"/"false"/"0"). */
static int api_ent_query_bool(const Ctx *c, const char *name, int *out, Err *e)
{
    const char *s = ctx_query(c, name);

    *out = 0;
    if (!s || !*s) {
        return 0;
    }
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = 1;
    } else if (strcmp(s, "false") != 0 && strcmp(s, "0") != 0) {
        return err_set(e, ERR_INVALID, name, "参数 %s 应为 true 或 false",
                       name);
    }
    return 0;
}

/* A 万元 amount from the query into 元. */
static int api_ent_query_wan(const Ctx *c, const char *name, int *has,
                             int64_t *out, Err *e)
{
    const char *s = ctx_query(c, name);

    *has = 0;
    if (!s || !*s) {
        return 0;
    }
    *has = 1;
    return money_parse_wan(s, out, 0, name, e);
}

/* A percentage ("3", "3.5", "12.25") from the query into basis points. */
static int api_ent_query_pct(const Ctx *c, const char *name, int *has,
                             int64_t *out, Err *e)
{
    const char *s = ctx_query(c, name);
    int64_t v = 0;
    int decimals = -1;
    const char *p;

    *has = 0;
    if (!s || !*s) {
        return 0;
    }
    for (p = s; *p; p++) {
        if (*p == '.' && decimals < 0 && p != s) {
            decimals = 0;
        } else if (*p >= '0' && *p <= '9' && decimals < 2 && v < 100000) {
            v = v * 10 + (*p - '0');
            if (decimals >= 0) {
                decimals++;
            }
        } else {
            return err_set(e, ERR_INVALID, name,
                           "参数 %s 应为百分数，如 3 或 3.5（最多两位小数）",
                           name);
        }
    }
    while (decimals < 2) {
        v *= 10;
        decimals = decimals < 0 ? 1 : decimals + 1;
    }
    *has = 1;
    *out = v;
    return 0;
}

/* Export columns: the enterprise import template's (domain/columns.c, the
 * same registry the importer and the template use), including its
 * export-only columns at the end, which the importer ignores. */
static const char *api_ent_text_of(const EntRow *r, const char *key)
{
    static const struct {
        const char *key;
        size_t off;
    } m[] = {
        {"uscc", offsetof(EntRow, uscc)},
        {"name", offsetof(EntRow, name)},
        {"unit_id", offsetof(EntRow, unit_name)},
        {"address", offsetof(EntRow, address)},
        {"legal_rep", offsetof(EntRow, legal_rep)},
        {"established_on", offsetof(EntRow, established_on)},
        {"industry_code", offsetof(EntRow, industry_code)},
        {"tech_subdomain", offsetof(EntRow, tech_subdomain)},
        {"listing_status", offsetof(EntRow, listing_status)},
        {"contact_name", offsetof(EntRow, contact_name)},
        {"contact_phone", offsetof(EntRow, contact_phone)},
        {"contact_email", offsetof(EntRow, contact_email)},
        {"note", offsetof(EntRow, note)},
    };
    size_t i;

    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (strcmp(key, m[i].key) == 0) {
            return *(const char *const *)((const char *)r + m[i].off);
        }
    }
    return NULL;
}

/* The export's columns: indexes into the enterprise registry's columns,
 * in the order written. */
typedef struct ApiEntCols {
    ApiExport *x;
    size_t idx[COLUMNS_MAX];
    size_t n;
} ApiEntCols;

static int api_ent_export_row(void *ud, const EntRow *r)
{
    const ColumnKind *k = columns_kind(XK_ENTERPRISES);
    ApiEntCols *ec = ud;
    const char *cells[COLUMNS_MAX];
    size_t offs[COLUMNS_MAX];
    Buf b;
    Err e;
    size_t j;
    int rc;

    buf_init(&b, 1 << 20);
    for (j = 0; j < ec->n; j++) {
        const ColumnDef *col = &k->cols[ec->idx[j]];
        const char *key = col->key;
        offs[j] = b.len;
        if (strcmp(key, "registered_capital") == 0) {
            columns_format(col, r->has_capital, r->capital, NULL, &b);
        } else if (strcmp(key, "tech_domain") == 0) {
            columns_format(col, r->tech_domain != 0, r->tech_domain, NULL, &b);
        } else if (strcmp(key, "latest_year") == 0) {
            if (r->has_latest_year) {
                buf_appendf(&b, "%lld", (long long)r->latest_year);
            }
        } else if (strcmp(key, "latest_revenue") == 0) {
            if (r->has_revenue) {
                money_format_wan(r->latest_revenue, &b);
            }
        } else if (strcmp(key, "latest_rd_bp") == 0) {
            if (r->has_rd) {
                buf_appendf(&b, "%lld.%02lld",
                            (long long)(r->latest_rd_bp / 100),
                            (long long)(r->latest_rd_bp % 100));
            }
        } else if (strcmp(key, "retired_at") == 0) {
            buf_append_str(&b, r->retired ? "已注销出库" : "在库");
        } else if (strcmp(key, "industry_name") == 0) {
            const char *name = industry_name_of(r->industry_code);
            buf_append_str(&b, name ? name : "");
        } else if (col->type == COLUMNS_UNIT) {
            const char *t = api_ent_text_of(r, key);
            buf_append_str(&b, t ? t : "");
        } else {
            columns_format(col, 1, 0, api_ent_text_of(r, key), &b);
        }
        buf_append_char(&b, '\0');
    }
    for (j = 0; j < ec->n; j++) {
        cells[j] = b.err ? "" : b.data + offs[j];
    }
    rc = api_export_row(ec->x, cells, &e);
    buf_release(&b);
    return rc;
}

/* Add the registry column key to ec (once). */
static void api_ent_col_add(const ColumnKind *k, ApiEntCols *ec,
                            const char *key)
{
    int c = columns_col_by_key(k, key);
    size_t j;

    if (c < 0) {
        return;
    }
    for (j = 0; j < ec->n; j++) {
        if (ec->idx[j] == (size_t)c) {
            return;
        }
    }
    if (ec->n < COLUMNS_MAX) {
        ec->idx[ec->n++] = (size_t)c;
    }
}

/* The columns chosen with ?columns=a,b,c (the list's column names, as the
 * column chooser sends them, or the registry's keys), in that order; all
 * the registry's columns without it. A name that is no column is an
 * error; list-only columns (修改时间) are left out. */
static int api_ent_export_cols(const Ctx *c, ApiEntCols *ec, Err *e)
{
    /* list column -> registry columns */
    static const struct {
        const char *prop;
        const char *keys[2];
    } alias[] = {
        {"unit_name", {"unit_id", NULL}},
        {"industry_code", {"industry_code", "industry_name"}},
        {"industry", {"industry_code", "industry_name"}},
        {"tech_domain_name", {"tech_domain", NULL}},
        {"retired", {"retired_at", NULL}},
        {"updated_at", {NULL, NULL}},
        {"created_at", {NULL, NULL}},
    };
    const ColumnKind *k = columns_kind(XK_ENTERPRISES);
    const char *q = ctx_query(c, "columns");
    const char *p;
    size_t i;

    ec->n = 0;
    if (!q || !*q) {
        for (i = 0; i < k->n_cols; i++) {
            ec->idx[ec->n++] = i;
        }
        return 0;
    }
    for (p = q; *p;) {
        char name[64];
        size_t n = strcspn(p, ",");
        int found = 0;
        if (n >= sizeof name) {
            return err_set(e, ERR_INVALID, "columns", "导出列名过长");
        }
        memcpy(name, p, n);
        name[n] = '\0';
        p += n + (p[n] == ',');
        if (!n) {
            continue;
        }
        for (i = 0; i < sizeof alias / sizeof alias[0]; i++) {
            if (strcmp(alias[i].prop, name) == 0) {
                found = 1;
                if (alias[i].keys[0]) {
                    api_ent_col_add(k, ec, alias[i].keys[0]);
                }
                if (alias[i].keys[1]) {
                    api_ent_col_add(k, ec, alias[i].keys[1]);
                }
            }
        }
        if (!found && columns_col_by_key(k, name) >= 0) {
            found = 1;
            api_ent_col_add(k, ec, name);
        }
        if (!found) {
            return err_set(e, ERR_INVALID, "columns", "导出列“%s”不存在", name);
        }
    }
    if (ec->n == 0) {
        return err_set(e, ERR_INVALID, "columns", "请至少选择一个可导出的列");
    }
    return 0;
}

static int api_ent_export(Ctx *c, int format, const EntFilter *f, Err *e)
{
    const ColumnKind *k = columns_kind(XK_ENTERPRISES);
    const char *titles[COLUMNS_MAX];
    unsigned char kinds[COLUMNS_MAX];
    ApiEntCols ec;
    ApiExport x;
    size_t j;
    int rc;

    rc = api_ent_export_cols(c, &ec, e);
    if (rc) {
        return rc;
    }
    for (j = 0; j < ec.n; j++) {
        titles[j] = k->cols[ec.idx[j]].title;
        kinds[j] = api_export_xfer_kind(&k->cols[ec.idx[j]]);
    }
    rc = api_export_begin(&x, format, titles, kinds, ec.n, "企业", e);
    if (rc == 0) {
        ec.x = &x;
        rc = ent_export(c->db, &c->actor, f, ENT_EXPORT_MAX, api_ent_export_row,
                        &ec, e);
    }
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, "企业库", e);
}

int api_ent_list(Ctx *c, Err *e)
{
    char ind[INDUSTRY_CODE_MAX];
    char qual_today_s[DATE_ISO_SIZE];
    json_t *items = NULL;
    EntFilter f;
    Page pg;
    int64_t total = 0;
    int exact = 1;
    int format = 0;
    int rc;

    memset(&f, 0, sizeof f);
    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "tech_domain", 0, 0, TECH_DOMAIN_COUNT,
                           &f.tech_domain, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "established_from", 0, 0, 2999,
                           &f.established_from, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "established_to", 0, 0, 2999, &f.established_to,
                           e);
    }
    if (rc == 0) {
        rc = api_ent_query_wan(c, "revenue_min", &f.has_revenue_min,
                               &f.revenue_min, e);
    }
    if (rc == 0) {
        rc = api_ent_query_wan(c, "revenue_max", &f.has_revenue_max,
                               &f.revenue_max, e);
    }
    if (rc == 0) {
        rc = api_ent_query_pct(c, "rd_min", &f.has_rd_min, &f.rd_min_bp, e);
    }
    if (rc == 0) {
        rc = api_ent_query_pct(c, "rd_max", &f.has_rd_max, &f.rd_max_bp, e);
    }
    if (rc == 0) {
        rc = api_ent_query_bool(c, "has_ip1", &f.has_ip1, e);
    }
    if (rc == 0) {
        rc = api_ent_query_bool(c, "include_retired", &f.include_retired, e);
    }
    if (rc) {
        return rc;
    }
    f.industry = ctx_query(c, "industry");
    f.listing_status = ctx_query(c, "listing_status");
    f.q = ctx_query(c, "q");
    f.ids = ctx_query(c, "ids");
    f.qual_kind = ctx_query(c, "qual_kind");
    f.qual_on = ctx_query(c, "qual_on");
    if (f.qual_kind && *f.qual_kind && !qual_kind_find(f.qual_kind)) {
        return err_set(e, ERR_INVALID, "qual_kind",
                       "资质类型不正确（可选类型见资质代码表）");
    }
    if (f.qual_kind && *f.qual_kind && (!f.qual_on || !*f.qual_on)) {
        date_format_iso(date_today(), qual_today_s);
        f.qual_on = qual_today_s;
    }
    f.sort = ctx_query(c, "sort");
    rc = ent_filter_check(&f, ind, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        return api_ent_export(c, format, &f, e);
    }
    rc = ent_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total,
                  &exact, e);
    if (rc) {
        return rc;
    }
    /* total is exact up to ENT_TOTAL_CAP; beyond, total = ENT_TOTAL_CAP and
     * total_exact = false ("10000+"). */
    {
        json_t *o = ctx_page_json(items, total, &pg);

        json_object_set_new(o, "total_exact", json_boolean(exact));
        return ctx_reply_json(c, 200, o);
    }
}

/* Read the record fields of a create or update body into in. */
static int api_ent_read_input(Ctx *c, EntInput *in, int creating, Err *e)
{
    const char *capital = NULL;
    int present = 0;
    int rc;

    rc = ctx_json_str(c, "uscc", creating, 40, &in->uscc, NULL, e);
    if (rc == 0) {
        rc =
            ctx_json_str(c, "name", creating, ENT_NAME_MAX, &in->name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", creating, 1, INT64_MAX, &in->unit_id,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "address", 0, ENT_ADDRESS_MAX, &in->address, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "legal_rep", 0, ENT_SHORT_MAX, &in->legal_rep,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "established_on", 0, 32, &in->established_on, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "registered_capital_wan", 0, 40, &capital,
                          &present, e);
    }
    if (rc == 0 && present) {
        in->has_registered_capital = 1;
        if (!*capital) {
            in->registered_capital_null = 1;
        } else {
            rc = money_parse_wan(capital, &in->registered_capital, 0,
                                 "registered_capital_wan", e);
        }
    } else if (rc == 0 && api_ent_is_null(c, "registered_capital_wan")) {
        in->has_registered_capital = 1;
        in->registered_capital_null = 1;
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "industry_code", 0, 16, &in->industry_code, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "tech_domain", 0, 0, TECH_DOMAIN_COUNT,
                          &in->tech_domain, &in->has_tech_domain, e);
    }
    if (rc == 0 && api_ent_is_null(c, "tech_domain")) {
        in->has_tech_domain = 1;
        in->tech_domain = 0;
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "tech_subdomain", 0, ENT_SHORT_MAX,
                          &in->tech_subdomain, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "listing_status", 0, 16, &in->listing_status, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "contact_name", 0, ENT_SHORT_MAX,
                          &in->contact_name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "contact_phone", 0, ENT_PHONE_MAX,
                          &in->contact_phone, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "contact_email", 0, ENT_EMAIL_MAX,
                          &in->contact_email, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "liaison_user_id", 0, 1, INT64_MAX,
                          &in->liaison_user_id, &in->has_liaison, e);
    }
    if (rc == 0 && api_ent_is_null(c, "liaison_user_id")) {
        in->has_liaison = 1;
        in->liaison_user_id = 0;
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, ENT_NOTE_MAX, &in->note, NULL, e);
    }
    return rc;
}

#define API_ENT_FIELDS                                                         \
    "uscc", "name", "unit_id", "address", "legal_rep", "established_on",       \
        "registered_capital_wan", "industry_code", "tech_domain",              \
        "tech_subdomain", "listing_status", "contact_name", "contact_phone",   \
        "contact_email", "liaison_user_id", "note"

int api_ent_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {API_ENT_FIELDS, NULL};
    json_t *out = NULL;
    EntInput in;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = api_ent_read_input(c, &in, 1, e);
    }
    if (rc == 0) {
        rc = ent_create(c->db, &c->actor, &in, NULL, &id, e);
    }
    if (rc == 0) {
        rc = ent_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_ent_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ent_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_ent_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {API_ENT_FIELDS, "retired",
                                         "retire_reason", NULL};
    json_t *out = NULL;
    const char *reason = NULL;
    EntInput in;
    int retired = 0;
    int has_retired = 0;
    int64_t id;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "retired", 0, &retired, &has_retired, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "retire_reason", 0, ENT_REASON_MAX, &reason, NULL,
                          e);
    }
    if (rc) {
        return rc;
    }
    if (has_retired) {
        /* {"retired": true|false, "retire_reason": "..."}: 注销出库 or
         * 恢复入库, each with its reason, and nothing else */
        if (json_object_size(c->json) != (reason ? 2u : 1u)) {
            return err_set(e, ERR_INVALID, "retired",
                           retired ? "注销出库时不能同时修改其他字段"
                                   : "恢复入库时不能同时修改其他字段");
        }
        rc = retired
                 ? ent_retire(c->db, &c->actor, id, reason ? reason : "", e)
                 : ent_restore(c->db, &c->actor, id, reason ? reason : "", e);
    } else {
        if (reason) {
            return err_set(
                e, ERR_INVALID, "retire_reason",
                "只有注销出库或恢复入库（retired: true/false）时才填写原因");
        }
        rc = api_ent_read_input(c, &in, 0, e);
        if (rc == 0) {
            rc = ent_update(c->db, &c->actor, id, &in, NULL, e);
        }
    }
    if (rc == 0) {
        rc = ent_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

/* The set of a batch update: {"unit_id": N} or {"liaison_user_id": N|null}
 * into in. */
static int api_ent_batch_set(const json_t *set, EntInput *in, Err *e)
{
    json_t *v;

    if (!json_is_object(set) || json_object_size(set) != 1) {
        return err_set(e, ERR_INVALID, "set",
                       "set 应为 {\"unit_id\": 单位编号} 或 "
                       "{\"liaison_user_id\": 用户编号或 null}");
    }
    if ((v = json_object_get(set, "unit_id")) != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            return err_set(e, ERR_INVALID, "unit_id", "请选择所属单位");
        }
        in->unit_id = json_integer_value(v);
        return 0;
    }
    if ((v = json_object_get(set, "liaison_user_id")) != NULL) {
        if (json_is_null(v)) {
            in->has_liaison = 1;
            return 0;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            return err_set(e, ERR_INVALID, "liaison_user_id",
                           "包联人员应为用户编号或 null");
        }
        in->has_liaison = 1;
        in->liaison_user_id = json_integer_value(v);
        return 0;
    }
    return err_set(e, ERR_INVALID, "set",
                   "批量修改只能调整所属单位（unit_id）或包联人员"
                   "（liaison_user_id）");
}

int api_ent_batch(Ctx *c, Err *e)
{
    static const char *const fields[] = {"ids", "set", NULL};
    json_t *ids = NULL;
    int64_t *idv = NULL;
    EntInput in;
    size_t i, n = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc) {
        return rc;
    }
    ids = json_object_get(c->json, "ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0) {
        return err_set(e, ERR_INVALID, "ids", "请至少选择一家企业");
    }
    n = json_array_size(ids);
    if (n > ENT_BATCH_MAX) {
        return err_set(e, ERR_INVALID, "ids", "一次最多批量修改 %d 家企业",
                       ENT_BATCH_MAX);
    }
    rc = api_ent_batch_set(json_object_get(c->json, "set"), &in, e);
    if (rc) {
        return rc;
    }
    idv = xcalloc(n, sizeof *idv);
    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            rc = err_set(e, ERR_INVALID, "ids",
                         "ids 第 %zu 项应为企业编号（正整数）", i + 1);
            goto out;
        }
        idv[i] = json_integer_value(v);
    }
    rc = ent_update_batch(c->db, &c->actor, idv, n, &in, e);
    if (rc == 0) {
        rc =
            ctx_reply_json(c, 200, json_pack("{sI}", "updated", (json_int_t)n));
    }
out:
    free(idv);
    return rc;
}

int api_ent_years_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ent_year_list(c->db, &c->actor, id, &items, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_ent_years_put(Ctx *c, Err *e)
{
    const char *ys = ctx_param(c, "year");
    json_t *items = NULL;
    json_t *row = NULL;
    EntYearInput in;
    const char *key;
    json_t *val;
    size_t i;
    int64_t id;
    char *end = NULL;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc) {
        return rc;
    }
    in.year = ys ? strtoll(ys, &end, 10) : 0;
    if (!ys || !*ys || *end || in.year < ENT_YEAR_MIN || in.year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应为四位数字");
    }
    if (!c->json || !json_is_object(c->json)) {
        return err_set(e, ERR_INVALID, "", "请求体必须是 JSON 对象");
    }
    /* Every key is a figure: an integer sets it, null clears it. */
    json_object_foreach(c->json, key, val)
    {
        int k = ent_year_field_index(key);
        if (k < 0) {
            return err_set(e, ERR_INVALID, key, "未知字段：%s", key);
        }
        if (json_is_null(val)) {
            in.state[k] = EY_CLEAR;
        } else if (json_is_integer(val)) {
            ent_year_input_set(&in, k, json_integer_value(val));
        } else {
            return err_set(e, ERR_INVALID, key, "%s应为整数（金额单位：元）",
                           ent_year_fields[k].label);
        }
    }
    rc = ent_year_upsert(c->db, &c->actor, id, &in, NULL, e);
    if (rc == 0) {
        rc = ent_year_list(c->db, &c->actor, id, &items, e);
    }
    if (rc) {
        return rc;
    }
    json_array_foreach(items, i, val)
    {
        if (json_integer_value(json_object_get(val, "year")) == in.year) {
            row = json_incref(val);
            break;
        }
    }
    json_decref(items);
    return ctx_reply_json(c, 200, row ? row : json_object());
}

/* ---- IP rights and facts -------------------------------------------- */

int api_ent_ip_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int include = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_ent_query_bool(c, "include_retired", &include, e);
    }
    if (rc == 0) {
        rc = ip_list(c->db, &c->actor, id, include, &items, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_list(c, items);
}

/* The item with "id" == id from a list (new reference), or NULL. */
static json_t *api_ent_pick(json_t *items, int64_t id)
{
    json_t *v;
    size_t i;

    json_array_foreach(items, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id) {
            return json_incref(v);
        }
    }
    return NULL;
}

/* The fields of an IP right in the body (POST, and PATCH that edits). */
static int api_ip_input(Ctx *c, IpInput *in, Err *e)
{
    static const char *const fields[] = {
        "kind",         "defense",    "number", "title",       "applied_on",
        "granted_on",   "expires_on", "status", "acquisition", "acquired_on",
        "main_product", "hnte_year",  NULL};
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 32, &in->kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "defense", 0, &in->defense, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "number", 1, IP_NUMBER_MAX, &in->number, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 1, IP_TITLE_MAX, &in->title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "applied_on", 0, 32, &in->applied_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "granted_on", 0, 32, &in->granted_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "expires_on", 0, 32, &in->expires_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "status", 0, 16, &in->status, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "acquisition", 0, 16, &in->acquisition, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "acquired_on", 0, 32, &in->acquired_on, NULL, e);
    }
    if (rc == 0) {
        /* absent or null: not known (never 否) */
        json_t *mp = json_object_get(c->json, "main_product");
        in->main_product = -1;
        if (mp && !json_is_null(mp)) {
            rc =
                ctx_json_bool(c, "main_product", 0, &in->main_product, NULL, e);
        }
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "hnte_year", 0, 2008, 2999, &in->hnte_year, NULL,
                          e);
    }
    return rc;
}

int api_ent_ip_create(Ctx *c, Err *e)
{
    json_t *items = NULL;
    json_t *out;
    IpInput in;
    int64_t ent, id = 0;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = api_ip_input(c, &in, e);
    }
    if (rc == 0) {
        rc = ip_create(c->db, &c->actor, ent, &in, NULL, &id, e);
    }
    if (rc == 0) {
        rc = ip_list(c->db, &c->actor, ent, 1, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_ent_pick(items, id);
    json_decref(items);
    return ctx_reply_json(c, 201, out ? out : json_object());
}

/* PATCH of a sub-object: {"retired": true, "retire_reason": "..."}
 * retires it; any other body replaces its fields (as in POST). */
static int api_ent_is_retire(const Ctx *c)
{
    return json_is_object(c->json) &&
           json_object_get(c->json, "retired") != NULL;
}

static int api_ent_retire_body(Ctx *c, const char **reason, Err *e)
{
    static const char *const fields[] = {"retired", "retire_reason", NULL};
    int retired = 0;
    int rc;

    *reason = NULL;
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_bool(c, "retired", 1, &retired, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "retire_reason", 1, ENT_REASON_MAX, reason, NULL,
                          e);
    }
    if (rc == 0 && !retired) {
        rc = err_set(e, ERR_INVALID, "retired", "只能删除（retired: true）");
    }
    return rc;
}

int api_ent_ip_update(Ctx *c, Err *e)
{
    const char *reason = NULL;
    json_t *items = NULL;
    json_t *out;
    int64_t ent, id;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = ctx_param_id(c, "ip_id", &id, e);
    }
    if (rc == 0 && api_ent_is_retire(c)) {
        rc = api_ent_retire_body(c, &reason, e);
        if (rc == 0) {
            rc = ip_retire(c->db, &c->actor, ent, id, reason, e);
        }
    } else if (rc == 0) {
        IpInput in;
        rc = api_ip_input(c, &in, e);
        if (rc == 0) {
            rc = ip_update(c->db, &c->actor, ent, id, &in, e);
        }
    }
    if (rc == 0) {
        rc = ip_list(c->db, &c->actor, ent, 1, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_ent_pick(items, id);
    json_decref(items);
    return ctx_reply_json(c, 200, out ? out : json_object());
}

int api_ent_facts_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int include = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_ent_query_bool(c, "include_retired", &include, e);
    }
    if (rc == 0) {
        rc = fact_list(c->db, &c->actor, id, ctx_query(c, "kind"), include,
                       &items, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_list(c, items);
}

/* The fields of a fact in the body (POST, and PATCH that edits). */
static int api_fact_input(Ctx *c, FactInput *in, Err *e)
{
    static const char *const fields[] = {
        "kind",         "subkind", "level",  "rank",        "amount_wan",
        "counterparty", "title",   "number", "occurred_on", "valid_from",
        "valid_to",     "note",    NULL};
    const char *amount = NULL;
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 32, &in->kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "subkind", 0, 32, &in->subkind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "level", 0, 32, &in->level, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "rank", 0, 1, 1000, &in->rank, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "amount_wan", 0, 40, &amount, NULL, e);
    }
    if (rc == 0 && amount && *amount) {
        rc = money_parse_wan(amount, &in->amount, 0, "amount_wan", e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "counterparty", 0, FACT_TEXT_MAX,
                          &in->counterparty, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 0, FACT_TEXT_MAX, &in->title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "number", 0, FACT_TEXT_MAX, &in->number, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "occurred_on", 0, 32, &in->occurred_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "valid_from", 0, 32, &in->valid_from, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "valid_to", 0, 32, &in->valid_to, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, FACT_NOTE_MAX, &in->note, NULL, e);
    }
    return rc;
}

int api_ent_facts_create(Ctx *c, Err *e)
{
    json_t *items = NULL;
    json_t *out;
    FactInput in;
    int64_t ent, id = 0;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = api_fact_input(c, &in, e);
    }
    if (rc == 0) {
        rc = fact_create(c->db, &c->actor, ent, &in, NULL, &id, e);
    }
    if (rc == 0) {
        rc = fact_list(c->db, &c->actor, ent, NULL, 1, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_ent_pick(items, id);
    json_decref(items);
    return ctx_reply_json(c, 201, out ? out : json_object());
}

int api_ent_facts_update(Ctx *c, Err *e)
{
    const char *reason = NULL;
    json_t *items = NULL;
    json_t *out;
    int64_t ent, id;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = ctx_param_id(c, "fact_id", &id, e);
    }
    if (rc == 0 && api_ent_is_retire(c)) {
        rc = api_ent_retire_body(c, &reason, e);
        if (rc == 0) {
            rc = fact_retire(c->db, &c->actor, ent, id, reason, e);
        }
    } else if (rc == 0) {
        FactInput in;
        rc = api_fact_input(c, &in, e);
        if (rc == 0) {
            rc = fact_update(c->db, &c->actor, ent, id, &in, e);
        }
    }
    if (rc == 0) {
        rc = fact_list(c->db, &c->actor, ent, NULL, 1, &items, e);
    }
    if (rc) {
        return rc;
    }
    out = api_ent_pick(items, id);
    json_decref(items);
    return ctx_reply_json(c, 200, out ? out : json_object());
}

/* ---- reference tables ------------------------------------------------ */

int api_ent_reference(Ctx *c, Err *e)
{
    static const char *const listings[] = {"none", "candidate", "neeq",
                                           "listed"};
    static const char *const levels[] = {"international", "national",
                                         "provincial", "municipal", "district"};
    static const char *const statuses[] = {"valid", "lapsed", "transferred"};
    static const char *const facts[] = {
        "award",   "rd_institution", "standard",    "competition", "financing",
        "project", "software_cert",  "credit_flag", "incident"};
    json_t *o = json_object();
    json_t *a;
    const IpKind *k;
    int letter;
    size_t i;
    int n = 0;

    (void)e;
    a = json_array();
    for (letter = 'A'; letter <= 'Z'; letter++) {
        const char *name = industry_section_name((char)letter);
        if (name) {
            char code[2] = {(char)letter, 0};
            json_array_append_new(
                a, json_pack("{ssss}", "code", code, "name", name));
        }
    }
    json_object_set_new(o, "industry_sections", a);
    a = json_array();
    for (i = 0; i < industry_count_divisions(); i++) {
        char sec[2] = {0, 0};
        const char *code = industry_division_code(i);
        const char *name = industry_division_name(code, &sec[0]);
        json_array_append_new(a, json_pack("{ssssss}", "code", code, "section",
                                           sec, "name", name));
    }
    json_object_set_new(o, "industry_divisions", a);
    a = json_array();
    for (n = 1; n <= TECH_DOMAIN_COUNT; n++) {
        json_array_append_new(
            a, json_pack("{siss}", "code", n, "name", tech_domain_name(n)));
    }
    json_object_set_new(o, "tech_domains", a);
    a = json_array();
    for (i = 0; i < sizeof listings / sizeof listings[0]; i++) {
        json_array_append_new(a,
                              json_pack("{ssss}", "code", listings[i], "name",
                                        ent_listing_name(listings[i])));
    }
    json_object_set_new(o, "listing_statuses", a);
    /* where a recorded value came from (src_kind of the provenance) */
    json_object_set_new(o, "sources", labels_sources_json());
    /* the industry catalogue's classes (catalogue.c, which checks imports) */
    json_object_set_new(o, "catalogue_classes", catalogue_classes_json());
    a = json_array();
    k = ip_kinds(&n);
    for (i = 0; i < (size_t)n; i++) {
        json_array_append_new(a,
                              json_pack("{sssssi}", "code", k[i].code, "name",
                                        k[i].name, "klass", k[i].klass));
    }
    json_object_set_new(o, "ip_kinds", a);
    a = json_array();
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        json_array_append_new(a,
                              json_pack("{ssss}", "code", statuses[i], "name",
                                        ip_status_name(statuses[i])));
    }
    json_object_set_new(o, "ip_statuses", a);
    a = json_array();
    for (i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        const FactKind *fk = fact_kind_find(facts[i]);
        json_t *subs = json_array();
        const char *const *p;
        for (p = fk->subkinds; p && *p; p++) {
            json_array_append_new(subs, json_pack("{ssss}", "code", *p, "name",
                                                  fact_subkind_name(*p)));
        }
        json_array_append_new(a, json_pack("{sssssbso}", "code", fk->code,
                                           "name", fk->name, "has_level",
                                           fk->has_level, "subkinds", subs));
    }
    json_object_set_new(o, "fact_kinds", a);
    a = json_array();
    for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        json_array_append_new(a, json_pack("{ssss}", "code", levels[i], "name",
                                           fact_level_name(levels[i])));
    }
    json_object_set_new(o, "fact_levels", a);
    a = json_array();
    for (n = 0; n < ENT_YEAR_N_FIELDS; n++) {
        const EntYearField *yf = &ent_year_fields[n];
        json_array_append_new(
            a, json_pack("{ssssss}", "name", yf->name, "label", yf->label,
                         "unit", yf->kind == EYK_COUNT ? "人" : "元"));
    }
    json_object_set_new(o, "year_fields", a);
    /* the cross-field rules every writer checks, for the forms' hints */
    json_object_set_new(o, "record_rules", recrule_json());
    return ctx_reply_json(c, 200, o);
}
