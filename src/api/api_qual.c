/* api_qual.c - the qualifications register (资质): reference table,
 * per-enterprise records and their lifecycle, the district list with
 * export, counts on a date, the compliance calendar and the home page
 * (工作台). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_export.h"
#include "domain/accounts/labels.h"
#include "domain/cultivation/pipeline.h"
#include "domain/cultivation/service.h"
#include "domain/io/import.h"
#include "domain/qual/qual.h"
#include "domain/qual/qual_cache.h"
#include "domain/qual/qual_cal.h"
#include "domain/qual/qual_import.h"

int api_qual_reference(Ctx *c, Err *e)
{
    json_t *o = qual_reference_json();
    json_t *rules = NULL;
    int rc;

    rc = qual_cal_rules_json(c->db, &rules, e);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "calendar_rules", rules);
    json_object_set_new(o, "calendar_anchors", qual_cal_anchors_json());
    json_object_set_new(o, "states", qual_states_json());
    return ctx_reply_json(c, 200, o);
}

/* ---- export ---------------------------------------------------------- */

static const char *const api_qual_keys[] = {
    "enterprise_name", "uscc",       "unit_name",  "kind_name",   "level_name",
    "cert_no",         "batch",      "year",       "issued_on",   "valid_from",
    "valid_to",        "basis_name", "state_name", "status_name", "ended_on",
    "end_reason",      "cert_name",  "renamed_on", "note"};
static const char *const api_qual_titles[] = {"企业名称",
                                              "统一社会信用代码",
                                              "所属单位",
                                              "资质类型",
                                              "级别",
                                              "证书编号",
                                              "批次",
                                              "年度",
                                              "认定日期",
                                              "有效期起",
                                              "有效期止",
                                              "认定类型",
                                              "当前状态",
                                              "终止方式",
                                              "终止日期",
                                              "终止原因",
                                              "证书上的企业名称",
                                              "更名日期",
                                              "备注"};
#define API_QUAL_NCOLS (sizeof api_qual_keys / sizeof api_qual_keys[0])

static int api_qual_export_row(void *ud, json_t *row, Err *e)
{
    ApiExport *x = ud;
    const char *cells[API_QUAL_NCOLS];
    char year[24];

    for (size_t i = 0; i < API_QUAL_NCOLS; i++) {
        json_t *v = json_object_get(row, api_qual_keys[i]);
        cells[i] = json_is_string(v) ? json_string_value(v) : NULL;
        if (json_is_integer(v)) {
            snprintf(year, sizeof year, "%lld",
                     (long long)json_integer_value(v));
            cells[i] = year;
        }
    }
    return api_export_row(x, cells, e);
}

static int api_qual_export(Ctx *c, int format, const QualFilter *f, Err *e)
{
    unsigned char kinds[API_QUAL_NCOLS] = {0};
    ApiExport x;
    int rc;

    kinds[7] = API_COL_INT;
    kinds[8] = kinds[9] = kinds[10] = kinds[14] = kinds[17] = API_COL_DATE;
    rc = api_export_begin_cols(&x, c, format, api_qual_keys, api_qual_titles,
                               kinds, API_QUAL_NCOLS, "资质", e);
    if (rc) {
        return rc;
    }
    rc = qual_walk(c->db, &c->actor, f, QUAL_EXPORT_MAX, api_qual_export_row,
                   &x, e);
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, "资质登记", e);
}

/* ---- lists ------------------------------------------------------------ */

int api_qual_list(Ctx *c, Err *e)
{
    QualFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page pg;
    int rc;

    memset(&f, 0, sizeof f);
    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f.enterprise_id, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    f.kind = ctx_query(c, "kind");
    f.valid_on = ctx_query(c, "valid_on");
    f.expires_from = ctx_query(c, "expires_from");
    f.expires_to = ctx_query(c, "expires_to");
    f.state = ctx_query(c, "state");
    f.q = ctx_query(c, "q");
    f.sort = ctx_query(c, "sort");
    if (format) {
        return api_qual_export(c, format, &f, e);
    }
    rc = qual_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIsIsI}", "items", items, "total",
                                    (json_int_t)total, "page",
                                    (json_int_t)pg.page, "page_size",
                                    (json_int_t)pg.size));
}

int api_qual_counts(Ctx *c, Err *e)
{
    const char *by = ctx_query(c, "by");
    json_t *out = NULL;
    int64_t unit = 0;
    int format = 0;
    int rc;

    if (by && *by && strcmp(by, "unit") != 0 && strcmp(by, "kind") != 0) {
        return err_set(e, ERR_INVALID, "by", "参数 by 应为 unit 或 kind");
    }
    rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = qual_counts(c->db, &c->actor, ctx_query(c, "date"), unit,
                         by && strcmp(by, "unit") == 0, &out, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        /* by unit: one row per kind and unit; else one per kind */
        static const char *const titles[] = {"统计日期", "资质类型", "单位",
                                             "有效企业数"};
        static const unsigned char kinds[] = {API_COL_DATE, API_COL_TEXT,
                                              API_COL_TEXT, API_COL_INT};
        json_t *rows = json_object_get(out, "units");
        const char *date = json_string_value(json_object_get(out, "date"));
        ApiExport x;

        if (!rows) {
            rows = json_object_get(out, "items");
        }
        rc = api_export_begin(&x, format, titles, kinds, 4, "有效资质计数", e);
        for (size_t i = 0; rc == 0 && i < json_array_size(rows); i++) {
            json_t *r = json_array_get(rows, i);
            char n[24];
            const char *cells[4];

            snprintf(
                n, sizeof n, "%lld",
                (long long)json_integer_value(json_object_get(r, "count")));
            cells[0] = date;
            cells[1] = json_string_value(json_object_get(r, "kind_name"));
            cells[2] = json_string_value(json_object_get(r, "unit_name"));
            cells[3] = n;
            rc = api_export_row(&x, cells, e);
        }
        json_decref(out);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "有效资质计数", e);
    }
    return ctx_reply_json(c, 200, out);
}

int api_ent_qual_list(Ctx *c, Err *e)
{
    json_t *items = NULL, *conflicts = NULL;
    int format = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0 && format) {
        QualFilter f;
        memset(&f, 0, sizeof f);
        f.enterprise_id = id;
        return api_qual_export(c, format, &f, e);
    }
    if (rc == 0) {
        rc = qual_list_ent(c->db, &c->actor, id, &items, e);
    }
    if (rc == 0) {
        rc = qual_conflicts(c->db, id, date_today(), &conflicts, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIso}", "items", items, "total",
                                    (json_int_t)json_array_size(items),
                                    "conflicts", conflicts));
}

int api_ent_qual_summary(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = qual_diagnosis(c->db, &c->actor, id, ctx_query(c, "as_of"), &out,
                            e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

/* The fields of a record in the body (POST and PATCH). */
static int api_qual_input(Ctx *c, QualInput *in, Err *e)
{
    static const char *const fields[] = {
        "kind",       "level",    "cert_no", "batch",     "year", "issued_on",
        "valid_from", "valid_to", "basis",   "cert_name", "note", NULL};
    int rc;

    memset(in, 0, sizeof *in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 32, &in->kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "level", 0, 32, &in->level, NULL, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "cert_no", 0, QUAL_TEXT_MAX, &in->cert_no, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "batch", 0, QUAL_TEXT_MAX, &in->batch, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year", 0, 1990, 2100, &in->year, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "issued_on", 0, 32, &in->issued_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "valid_from", 0, 32, &in->valid_from, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "valid_to", 0, 32, &in->valid_to, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "basis", 0, 32, &in->basis, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "cert_name", 0, QUAL_TEXT_MAX, &in->cert_name,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, QUAL_NOTE_MAX, &in->note, NULL, e);
    }
    return rc;
}

static int api_qual_reply_one(Ctx *c, int status, int64_t id, Err *e)
{
    json_t *o = NULL;
    int rc = qual_get(c->db, id, &o, e);

    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, status, o);
}

int api_ent_qual_create(Ctx *c, Err *e)
{
    QualInput in;
    int64_t ent, id = 0;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = api_qual_input(c, &in, e);
    }
    if (rc == 0) {
        rc = qual_create(c->db, &c->actor, ent, &in, NULL, &id, e);
    }
    if (rc) {
        return rc;
    }
    return api_qual_reply_one(c, 201, id, e);
}

int api_ent_qual_update(Ctx *c, Err *e)
{
    QualInput in;
    int64_t ent, id;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = ctx_param_id(c, "qual_id", &id, e);
    }
    if (rc == 0) {
        rc = api_qual_input(c, &in, e);
    }
    if (rc == 0) {
        rc = qual_update(c->db, &c->actor, ent, id, &in, e);
    }
    if (rc) {
        return rc;
    }
    return api_qual_reply_one(c, 200, id, e);
}

int api_ent_qual_end(Ctx *c, Err *e)
{
    static const char *const fields[] = {"status", "ended_on", "end_reason",
                                         NULL};
    const char *status = NULL, *on = NULL, *reason = NULL;
    int64_t ent, id;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = ctx_param_id(c, "qual_id", &id, e);
    }
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "status", 1, 32, &status, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "ended_on", 1, 32, &on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "end_reason", 1, QUAL_NOTE_MAX, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = qual_end(c->db, &c->actor, ent, id, status, on, reason, e);
    }
    if (rc) {
        return rc;
    }
    return api_qual_reply_one(c, 200, id, e);
}

int api_ent_qual_rename(Ctx *c, Err *e)
{
    static const char *const fields[] = {"cert_name", "renamed_on", NULL};
    const char *name = NULL, *on = NULL;
    int64_t ent, id;
    int rc;

    rc = ctx_param_id(c, "id", &ent, e);
    if (rc == 0) {
        rc = ctx_param_id(c, "qual_id", &id, e);
    }
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "cert_name", 1, QUAL_TEXT_MAX, &name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "renamed_on", 1, 32, &on, NULL, e);
    }
    if (rc == 0) {
        rc = qual_rename(c->db, &c->actor, ent, id, name, on, e);
    }
    if (rc) {
        return rc;
    }
    return api_qual_reply_one(c, 200, id, e);
}

/* ---- compliance calendar -------------------------------------------- */

static const char *const api_cal_keys[] = {
    "date",    "start",           "title",     "status", "kind_name",
    "cert_no", "enterprise_name", "unit_name", "source", "source_date"};
static const char *const api_cal_titles[] = {
    "截止日期", "开始日期", "事项",     "依据状态", "资质类型",
    "证书编号", "企业名称", "所属单位", "依据",     "依据日期"};
#define API_CAL_NCOLS (sizeof api_cal_keys / sizeof api_cal_keys[0])

/* The calendar filter from the query; from / to default to today and
 * today + 90 days (texts in the caller's buffers). */
static int api_cal_filter(Ctx *c, QualCalFilter *f, char from[DATE_ISO_SIZE],
                          char to[DATE_ISO_SIZE], Err *e)
{
    const char *mine = ctx_query(c, "mine");
    int rc;

    memset(f, 0, sizeof *f);
    date_format_iso(date_today(), from);
    date_format_iso(date_add_days(date_today(), 90), to);
    f->from = ctx_query(c, "from") && *ctx_query(c, "from")
                  ? ctx_query(c, "from")
                  : from;
    f->to = ctx_query(c, "to") && *ctx_query(c, "to") ? ctx_query(c, "to") : to;
    f->kind = ctx_query(c, "kind");
    f->mine = mine && (strcmp(mine, "1") == 0 || strcmp(mine, "true") == 0);
    rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f->unit_id, e);
    return rc;
}

int api_calendar(Ctx *c, Err *e)
{
    char from[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    QualCalFilter f;
    json_t *items = NULL, *page;
    int format = 0;
    Page pg;
    int rc;

    rc = api_cal_filter(c, &f, from, to, e);
    if (rc == 0) {
        rc = ctx_page(c, &pg, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = qual_cal_items(c->db, &c->actor, &f, &items, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        unsigned char kinds[API_CAL_NCOLS] = {0};
        ApiExport x;

        kinds[0] = kinds[1] = kinds[9] = API_COL_DATE;
        rc = api_export_begin_cols(&x, c, format, api_cal_keys, api_cal_titles,
                                   kinds, API_CAL_NCOLS, "到期提醒", e);
        for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            const char *cells[API_CAL_NCOLS];
            for (size_t k = 0; k < API_CAL_NCOLS; k++) {
                json_t *v = json_object_get(it, api_cal_keys[k]);
                cells[k] = json_is_string(v) ? json_string_value(v) : NULL;
            }
            cells[3] = labels_verify_status(cells[3]);
            rc = api_export_row(&x, cells, e);
        }
        json_decref(items);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "到期提醒", e);
    }
    page = json_array();
    for (int64_t i = pg.offset;
         i < pg.offset + pg.size && i < (int64_t)json_array_size(items); i++) {
        json_array_append(page, json_array_get(items, (size_t)i));
    }
    rc = ctx_reply_json(c, 200,
                        json_pack("{sosIsIsIssss}", "items", page, "total",
                                  (json_int_t)json_array_size(items), "page",
                                  (json_int_t)pg.page, "page_size",
                                  (json_int_t)pg.size, "from", f.from, "to",
                                  f.to));
    json_decref(items);
    return rc;
}

/* ---- 工作台 (home page) ---------------------------------------------- */

/* A section of the home page: key, title, how the UI shows it ("list":
 * {items: [{date, title, detail, link, status}], total}; "counts":
 * {date, compare_date, items: [{code, name, count, compare, change}]})
 * and the function filling its data. Other capabilities add one entry
 * each (the pipeline's open tasks, overdue 诉求). */
typedef struct ApiWbSection {
    const char *key;
    const char *title;
    const char *type;
    int (*build)(Ctx *c, Date today, json_t **data, Err *e);
    int per_user; /* 1: depends on the user (built on every request); 0:
                     on role, scope and today only (kept by data version) */
} ApiWbSection;

/* Calendar items due in [from, to] in the actor's scope as list entries:
 * the first max only are built (qual_cal_window), *total counts all and
 * by_kind (may be NULL) gets the totals per kind. */
static int api_wb_cal(Ctx *c, Date from, Date to, size_t max, json_t *out,
                      int64_t *total, json_t **by_kind, Err *e)
{
    char f[DATE_ISO_SIZE], t[DATE_ISO_SIZE];
    QualCalFilter qf;
    json_t *items = NULL;
    int64_t n = 0;
    int rc;

    memset(&qf, 0, sizeof qf);
    date_format_iso(from, f);
    date_format_iso(to, t);
    qf.from = f;
    qf.to = t;
    qf.due_only = 1;
    rc = qual_cal_window(c->db, &c->actor, &qf, max, &items, &n, by_kind, e);
    if (rc) {
        return rc;
    }
    *total += n;
    for (size_t i = 0; i < json_array_size(items) && i < max; i++) {
        json_t *it = json_array_get(items, i);
        char link[64];

        snprintf(link, sizeof link, "/enterprises/%lld?tab=qual",
                 (long long)json_integer_value(
                     json_object_get(it, "enterprise_id")));
        json_array_append_new(
            out,
            json_pack("{sOsOs[OO]sssO}", "date", json_object_get(it, "date"),
                      "title", json_object_get(it, "title"), "detail",
                      json_object_get(it, "enterprise_name"),
                      json_object_get(it, "unit_name"), "link", link, "status",
                      json_object_get(it, "status")));
    }
    json_decref(items);
    return 0;
}

/* Today's to-dos: what falls due within the next seven days, and the
 * enterprises whose declarations contradict the register. */
static int api_wb_todos(Ctx *c, Date today, json_t **data, Err *e)
{
    json_t *items = json_array();
    int64_t total = 0, conflicts = 0;
    int rc;

    rc = qual_conflicts_count(c->db, &c->actor, today, &conflicts, e);
    if (rc == 0 && conflicts > 0) {
        char title[128];
        char d[DATE_ISO_SIZE];

        date_format_iso(today, d);
        snprintf(title, sizeof title,
                 "%lld 家企业的申报事项与资质登记不一致，请在企业详情“资质”页"
                 "核对",
                 (long long)conflicts);
        json_array_append_new(items, json_pack("{sssssnsnss}", "date", d,
                                               "title", title, "detail", "link",
                                               "status", "conflict"));
        total++;
    }
    if (rc == 0) {
        rc = api_wb_cal(c, today, date_add_days(today, 7), 50, items, &total,
                        NULL, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    *data = json_pack("{sosI}", "items", items, "total", (json_int_t)total);
    return 0;
}

/* This month's deadlines. */
static int api_wb_month(Ctx *c, Date today, json_t **data, Err *e)
{
    json_t *items = json_array(), *by_kind = NULL;
    int64_t total = 0;
    Date first, last;
    int y, m, rc;

    date_to_ymd(today, &y, &m, NULL);
    date_from_ymd(y, m, 1, &first, NULL, NULL);
    date_from_ymd(y, m, date_days_in_month(y, m), &last, NULL, NULL);
    rc = api_wb_cal(c, first, last, 100, items, &total, &by_kind, e);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *data = json_pack("{sosIso}", "items", items, "total", (json_int_t)total,
                      "by_kind", by_kind);
    return 0;
}

/* Valid qualifications per kind today and on the same date last year
 * (one pass over the register: qual_counts_compare). */
static int api_wb_counts(Ctx *c, Date today, json_t **data, Err *e)
{
    char d[DATE_ISO_SIZE], p[DATE_ISO_SIZE];
    json_t *counts = NULL, *items = json_array(), *rows;
    int y, m, dd, rc;
    Date prev;

    date_to_ymd(today, &y, &m, &dd);
    if (m == 2 && dd == 29) {
        dd = 28;
    }
    date_from_ymd(y - 1, m, dd, &prev, NULL, NULL);
    date_format_iso(today, d);
    date_format_iso(prev, p);
    rc = qual_counts_compare(c->db, &c->actor, d, p, &counts, e);
    rows = json_object_get(counts, "items");
    for (size_t i = 0; rc == 0 && i < json_array_size(rows); i++) {
        json_t *a = json_array_get(rows, i);
        json_int_t n = json_integer_value(json_object_get(a, "count"));
        json_int_t o = json_integer_value(json_object_get(a, "compare"));

        json_array_append_new(
            items, json_pack("{sOsOsIsIsI}", "code", json_object_get(a, "kind"),
                             "name", json_object_get(a, "short_name"), "count",
                             n, "compare", o, "change", n - o));
    }
    json_decref(counts);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *data = json_pack("{sssssoss}", "date", d, "compare_date", p, "items",
                      items, "link", "/ladder/qualifications");
    return 0;
}

/* Rows of a worklist as home-page entries: title from key t, detail the
 * enterprise and its unit, date from due_on, a link to the enterprise's
 * tab. */
static json_t *api_wb_rows(json_t *rows, const char *t, const char *tab)
{
    json_t *items = json_array();

    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *it = json_array_get(rows, i);
        char link[64];

        snprintf(
            link, sizeof link, "/enterprises/%lld?tab=%s",
            (long long)json_integer_value(json_object_get(it, "enterprise_id")),
            tab);
        json_array_append_new(
            items,
            json_pack("{sOsOs[OO]sssO}", "date", json_object_get(it, "due_on"),
                      "title", json_object_get(it, t), "detail",
                      json_object_get(it, "enterprise_name"),
                      json_object_get(it, "unit_name"), "link", link, "status",
                      json_object_get(it, "status")));
    }
    return items;
}

/* My open cultivation tasks (培育任务), the earliest due first. */
static int api_wb_tasks(Ctx *c, Date today, json_t **data, Err *e)
{
    PipeTaskFilter f;
    json_t *rows = NULL;
    int64_t total = 0;
    int rc;

    (void)today;
    memset(&f, 0, sizeof f);
    f.mine = 1;
    f.status = "open";
    rc = pipe_task_list(c->db, &c->actor, &f, 0, 20, &rows, &total, e);
    if (rc) {
        return rc;
    }
    *data =
        json_pack("{sosIss}", "items", api_wb_rows(rows, "title", "pipeline"),
                  "total", (json_int_t)total, "link", "/pipeline/tasks");
    json_decref(rows);
    return 0;
}

/* Enterprises' asks (诉求) open past their due date, in the actor's
 * scope. */
static int api_wb_asks(Ctx *c, Date today, json_t **data, Err *e)
{
    ServiceAskFilter f;
    json_t *rows = NULL;
    int64_t total = 0;
    int rc;

    (void)today;
    memset(&f, 0, sizeof f);
    f.overdue = 1;
    rc = service_ask_list(c->db, &c->actor, &f, 0, 20, &rows, &total, e);
    if (rc) {
        return rc;
    }
    *data =
        json_pack("{sosIss}", "items", api_wb_rows(rows, "content", "basic"),
                  "total", (json_int_t)total, "link", "/service/asks");
    json_decref(rows);
    return 0;
}

static const ApiWbSection api_wb_sections[] = {
    {"todos", "今日待办", "list", api_wb_todos, 0},
    {"deadlines", "本月截止事项", "list", api_wb_month, 0},
    {"tier_counts", "各梯队有效企业数（与去年同日比较）", "counts",
     api_wb_counts, 0},
    {"my_tasks", "我的培育任务", "list", api_wb_tasks, 1},
    {"overdue_asks", "逾期未办结的企业诉求", "list", api_wb_asks, 0},
};
#define API_WB_N (sizeof api_wb_sections / sizeof api_wb_sections[0])

/* The home page. The sections that do not depend on the user are kept by
 * (today, role, scope) and the data version (qual_cache.h): a repeat
 * request reads the newest audit entry and builds only the per-user
 * sections. */
int api_workbench(Ctx *c, Err *e)
{
    char d[DATE_ISO_SIZE], mark[QUAL_MARK_MAX], key[QUAL_CACHE_KEY_MAX];
    json_t *sections = json_array(), *shared = NULL;
    Date today = date_today();
    int rc, fresh = 0;

    date_format_iso(today, d);
    rc = qual_cache_mark(c->db, mark, e);
    if (rc) {
        json_decref(sections);
        return rc;
    }
    snprintf(key, sizeof key, "workbench|%s|%d|%s", d, (int)c->actor.role,
             c->actor.unit_path);
    shared = qual_cache_get(c->db, key, mark);
    if (!shared) {
        shared = json_object();
        fresh = 1;
    }
    for (size_t i = 0; i < API_WB_N; i++) {
        const ApiWbSection *s = &api_wb_sections[i];
        json_t *data = s->per_user ? NULL : json_object_get(shared, s->key);

        if (data) {
            json_incref(data);
        } else {
            rc = s->build(c, today, &data, e);
            if (rc) {
                json_decref(sections);
                json_decref(shared);
                return rc;
            }
            if (!s->per_user) {
                json_object_set(shared, s->key, data);
            }
        }
        json_array_append_new(sections, json_pack("{sssssssO}", "key", s->key,
                                                  "title", s->title, "type",
                                                  s->type, "data", data));
        json_decref(data);
    }
    if (fresh) {
        qual_cache_put(key, mark, shared);
    }
    json_decref(shared);
    return ctx_reply_json(c, 200,
                          json_pack("{ssso}", "date", d, "sections", sections));
}

/* ---- published-list import ------------------------------------------- */

int api_qual_import_template(Ctx *c, Err *e)
{
    static const char *const sample[] = {
        "天津示例科技有限公司", "91120102MA05XXXXXX", "GR202112000123",
        "2021-12-01",           "2021年第二批",       ""};
    const char *f = ctx_query(c, "format");
    const char *const *titles;
    unsigned char kinds[8] = {0};
    ApiExport x;
    int n, rc;

    titles = qual_import_template_titles(&n);
    kinds[3] = kinds[5] = API_COL_DATE;
    rc = api_export_begin(
        &x, f && strcmp(f, "csv") == 0 ? API_EXPORT_CSV : API_EXPORT_XLSX,
        titles, kinds, (size_t)n, "认定名单", e);
    if (rc == 0 && f && *f && strcmp(f, "csv") != 0 && strcmp(f, "xlsx") != 0) {
        api_export_release(&x);
        return err_set(e, ERR_INVALID, "format", "模板格式应为 xlsx 或 csv");
    }
    if (rc == 0) {
        rc = api_export_row(&x, sample, e);
    }
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, "认定名单导入模板", e);
}

int api_qual_import_create(Ctx *c, Err *e)
{
    char dir[512], tmp[600];
    const char *path = c->req->body_path;
    json_t *out = NULL;
    int fd = -1, rc;

    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (!path) {
        /* the reader takes a file: stage the body beside the database */
        rc = import_stage_dir(c->app->db_location, dir, sizeof dir, e);
        if (rc) {
            return rc;
        }
        snprintf(tmp, sizeof tmp, "%s/qual-XXXXXX", dir);
        fd = mkstemp(tmp);
        if (fd < 0 || write(fd, c->req->body, c->req->body_len) !=
                          (ssize_t)c->req->body_len) {
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            return err_set(e, ERR_IO, NULL, "无法暂存上传的文件");
        }
        close(fd);
        path = tmp;
    }
    rc = qual_import_check(c->db, &c->actor, ctx_query(c, "kind"),
                           ctx_query(c, "batch"), path, api_import_file_name(c),
                           &out, e);
    if (path == tmp) {
        unlink(tmp);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_qual_import_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "import_id", &id, e);

    if (rc == 0) {
        rc = qual_import_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_qual_import_apply(Ctx *c, Err *e)
{
    static const char *const fields[] = {"resolutions", NULL};
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "import_id", &id, e);

    if (rc == 0 && c->json) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = qual_import_apply(
            c->db, &c->actor, id,
            c->json ? json_object_get(c->json, "resolutions") : NULL, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}
