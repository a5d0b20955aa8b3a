/* api_market.c - technology contracts: register, amend, cancel, list and
 * export, import of registration-office exports, statistics, the
 * 技术合同成交额 indicator and the tax-relief estimate. Amounts are read
 * as 万元 strings (*_wan, exact) and answered as 元 integers plus *_wan
 * strings. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_export.h"
#include "api/api_upload.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/money.h"
#include "domain/market/contract.h"
#include "domain/market/contract_import.h"
#include "domain/market/contract_stats.h"

#define API_CONTRACT_FIELDS                                                    \
    "reg_no", "title", "type", "subtype", "legacy_type", "seller_uscc",        \
        "seller_name", "seller_region", "seller_place", "buyer_uscc",          \
        "buyer_name", "buyer_region", "buyer_place", "amount_wan",             \
        "tech_amount_wan", "signed_on", "registered_on", "valid_from",         \
        "valid_to", "field", "ip_kind", "office", "confirm_large"

/* A money field in 万元 given as a string (or a JSON number). */
static int api_mk_wan(Ctx *c, const char *field, int *has, int64_t *out, Err *e)
{
    json_t *v = json_object_get(c->json, field);
    char num[64];
    const char *s = NULL;
    int rc;

    *has = 0;
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        return err_set(e, ERR_INVALID, field,
                       "金额请以字符串给出（万元，最多 4 位小数）");
    } else {
        rc = ctx_json_str(c, field, 0, 40, &s, NULL, e);
        if (rc) {
            return rc;
        }
        if (!s || !*s) {
            return 0;
        }
    }
    rc = money_parse_wan(s, out, 1, field, e);
    if (rc == 0) {
        *has = 1;
    }
    return rc;
}

static int api_mk_input(Ctx *c, ContractInput *in, Err *e)
{
    static const struct {
        const char *key;
        size_t max;
        size_t off;
    } strs[] = {
#define F(k, m) {#k, m, offsetof(ContractInput, k)}
        F(reg_no, 40),
        F(title, CONTRACT_TITLE_MAX),
        F(type, 40),
        F(subtype, 40),
        F(legacy_type, 40),
        F(seller_uscc, 40),
        F(seller_name, CONTRACT_NAME_MAX),
        F(seller_region, 10),
        F(seller_place, 20),
        F(buyer_uscc, 40),
        F(buyer_name, CONTRACT_NAME_MAX),
        F(buyer_region, 10),
        F(buyer_place, 20),
        F(signed_on, 32),
        F(registered_on, 32),
        F(valid_from, 32),
        F(valid_to, 32),
        F(ip_kind, 40),
        F(office, CONTRACT_OFFICE_MAX),
#undef F
    };
    size_t i;
    int rc = 0;

    memset(in, 0, sizeof *in);
    for (i = 0; rc == 0 && i < sizeof strs / sizeof strs[0]; i++) {
        const char **dst = (const char **)((char *)in + strs[i].off);
        if (json_is_null(json_object_get(c->json, strs[i].key))) {
            continue;
        }
        rc = ctx_json_str(c, strs[i].key, 0, strs[i].max, dst, NULL, e);
    }
    if (rc == 0) {
        rc = api_mk_wan(c, "amount_wan", &in->has_amount, &in->amount, e);
    }
    if (rc == 0) {
        rc = api_mk_wan(c, "tech_amount_wan", &in->has_tech_amount,
                        &in->tech_amount, e);
    }
    if (rc == 0 && !json_is_null(json_object_get(c->json, "field"))) {
        rc = ctx_json_int(c, "field", 0, 0, CONTRACT_FIELD_COUNT, &in->field,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "confirm_large", 0, &in->confirm_large, NULL, e);
    }
    return rc;
}

int api_contracts_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {API_CONTRACT_FIELDS, "rejected", NULL};
    ContractInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = api_mk_input(c, &in, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "rejected", 0, &in.rejected, NULL, e);
    }
    if (rc == 0) {
        rc = contract_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = contract_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_contracts_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = contract_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_contracts_amend(Ctx *c, Err *e)
{
    static const char *const fields[] = {API_CONTRACT_FIELDS, "reason", NULL};
    const char *reason = NULL;
    ContractInput in;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = api_mk_input(c, &in, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "reason", 1, CONTRACT_REASON_MAX, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = contract_amend(c->db, &c->actor, id, &in, reason, e);
    }
    if (rc == 0) {
        rc = contract_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_contracts_cancel(Ctx *c, Err *e)
{
    static const char *const fields[] = {"reason", "on_date", NULL};
    const char *reason = NULL, *on = NULL;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "reason", 1, CONTRACT_REASON_MAX, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "on_date", 0, 32, &on, NULL, e);
    }
    if (rc == 0) {
        rc = contract_cancel(c->db, &c->actor, id, on, reason, e);
    }
    if (rc == 0) {
        rc = contract_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_contracts_relink(Ctx *c, Err *e)
{
    int64_t n = 0;
    int rc;

    rc = contract_relink(c->db, &c->actor, &n, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{sI}", "linked", (json_int_t)n));
}

/* Filters of the list from the query. */
static int api_mk_filter(Ctx *c, ContractFilter *f, Err *e)
{
    int64_t unmatched = 0;
    int rc;

    memset(f, 0, sizeof *f);
    f->q = ctx_query(c, "q");
    f->type = ctx_query(c, "type");
    f->status = ctx_query(c, "status");
    f->from = ctx_query(c, "from");
    f->to = ctx_query(c, "to");
    f->month = ctx_query(c, "month");
    f->buyer_place = ctx_query(c, "buyer_place");
    f->seller_place = ctx_query(c, "seller_place");
    f->sort = ctx_query(c, "sort");
    rc = ctx_query_int(c, "field", 0, -1, CONTRACT_FIELD_COUNT, &f->field, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f->unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "ent_id", 0, 0, INT64_MAX, &f->ent_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unmatched", 0, 0, 3, &unmatched, e);
    }
    f->unmatched = (int)unmatched;
    if (rc == 0) {
        rc = contract_filter_check(f, e);
    }
    return rc;
}

static int api_mk_export_row(void *ud, const char *const *cells, Err *e)
{
    return api_export_row(ud, cells, e);
}

int api_contracts_list(Ctx *c, Err *e)
{
    static const unsigned char kinds[CONTRACT_EXPORT_COLS] = {
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_WAN,  API_COL_WAN,
        API_COL_DATE, API_COL_DATE, API_COL_DATE, API_COL_DATE, API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT};
    ContractFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page pg;
    int rc;

    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = api_mk_filter(c, &f, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        ApiExport x;
        rc = api_export_begin(&x, format, contract_export_titles, kinds,
                              CONTRACT_EXPORT_COLS, "技术合同", e);
        if (rc) {
            return rc;
        }
        rc = contract_export(c->db, &c->actor, &f, api_mk_export_row, &x, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "技术合同", e);
    }
    rc = contract_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total,
                       e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIsIsI}", "items", items, "total",
                                    (json_int_t)total, "page",
                                    (json_int_t)pg.page, "page_size",
                                    (json_int_t)pg.size));
}

int api_contract_parties_unmatched(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    Page pg;
    int rc;

    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = contract_unmatched(c->db, &c->actor, pg.offset, pg.size, &items,
                                &total, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIsIsI}", "items", items, "total",
                                    (json_int_t)total, "page",
                                    (json_int_t)pg.page, "page_size",
                                    (json_int_t)pg.size));
}

int api_contracts_reference(Ctx *c, Err *e)
{
    (void)e;
    return ctx_reply_json(c, 200, contract_reference_json());
}

/* A true/false query flag (absent: def). */
static int api_mk_flag(Ctx *c, const char *name, int def, int *out, Err *e)
{
    const char *v = ctx_query(c, name);

    *out = def;
    if (!v) {
        return 0;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = 1;
    } else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *out = 0;
    } else {
        return err_set(e, ERR_INVALID, name, "%s 应为 true 或 false", name);
    }
    return 0;
}

int api_contract_imports_create(Ctx *c, Err *e)
{
    ContractImportOpts o;
    const char *name = http_req_header(c->req, "X-File-Name");
    json_t *report = NULL;
    ApiUpload u;
    int dry = 1;
    int rc;

    memset(&o, 0, sizeof o);
    rc = api_mk_flag(c, "dry_run", 1, &dry, e);
    if (rc == 0) {
        rc = api_mk_flag(c, "confirm_large", 0, &o.confirm_large, e);
    }
    if (rc == 0) {
        rc = api_upload_mode(c, &o.valid_only, e);
    }
    o.apply = !dry;
    o.file_name = name ? name : "";
    if (rc == 0) {
        rc = api_upload_open(c, "contracts", &u, e);
    }
    if (rc) {
        return rc;
    }
    rc = contract_import_file(c->db, &c->actor, u.path, &o, &report, e);
    api_upload_release(&u);
    if (rc == ERR_INVALID && report) {
        /* rows invalid and nothing written: the report with the error */
        json_object_set_new(report, "error",
                            json_pack("{ssssss}", "code", "invalid", "field",
                                      e->field, "message", e->msg));
        return ctx_reply_json(c, 422, report);
    }
    if (rc) {
        json_decref(report);
        return rc;
    }
    return ctx_reply_json(c, 200, report);
}

int api_contract_imports_template(Ctx *c, Err *e)
{
    return api_upload_template(c, contract_import_template_csv,
                               "技术合同导入模板.csv", e);
}

static int api_mk_year(Ctx *c, int64_t *year, Err *e)
{
    int y;

    date_to_ymd(date_today(), &y, NULL, NULL);
    return ctx_query_int(c, "year", y, 1990, 2999, year, e);
}

int api_contract_stats(Ctx *c, Err *e)
{
    ContractStatsQuery q;
    json_t *out = NULL;
    int64_t year = 0, years = 0, field = 0, unit = 0;
    int rc;

    memset(&q, 0, sizeof q);
    rc = api_mk_year(c, &year, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "years", 5, 1, 20, &years, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "field", 0, 0, CONTRACT_FIELD_COUNT, &field, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    }
    if (rc) {
        return rc;
    }
    q.group = ctx_query(c, "group");
    q.type = ctx_query(c, "type");
    q.year = (int)year;
    q.years = (int)years;
    q.field = field;
    q.unit_id = unit;
    rc = contract_stats(c->db, &c->actor, &q, &out, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_contract_stats_top(Ctx *c, Err *e)
{
    json_t *out = NULL;
    const char *side = ctx_query(c, "side");
    int64_t year = 0, limit = 10;
    int rc;

    rc = api_mk_year(c, &year, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "limit", 10, 1, 100, &limit, e);
    }
    if (rc == 0) {
        rc = contract_stats_top(c->db, &c->actor, side ? side : "seller",
                                (int)year, limit, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{so}", "items", out));
}

int api_contract_indicator(Ctx *c, Err *e)
{
    MarketConv conv = MARKET_CONV_DEFAULT;
    const char *amount = ctx_query(c, "amount");
    const char *date = ctx_query(c, "date");
    char from[16], to[16];
    int64_t unit = 0, year = 0, yuan = 0, n = 0;
    int own = 0, lib = 0;
    int rc;

    rc = api_mk_year(c, &year, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", c->actor.unit_id, 1, INT64_MAX, &unit,
                           e);
    }
    if (rc == 0) {
        rc = api_mk_flag(c, "own_unit_only", 0, &own, e);
    }
    if (rc == 0) {
        rc = api_mk_flag(c, "seller_in_library", 0, &lib, e);
    }
    if (rc) {
        return rc;
    }
    if (amount && strcmp(amount, "tech") == 0) {
        conv.amount = MARKET_AMOUNT_TECH;
    } else if (amount && strcmp(amount, "total") != 0) {
        return err_set(e, ERR_INVALID, "amount", "amount 应为 total 或 tech");
    }
    if (date && strcmp(date, "signed") == 0) {
        conv.date = MARKET_DATE_SIGNED;
    } else if (date && strcmp(date, "registered") != 0) {
        return err_set(e, ERR_INVALID, "date",
                       "date 应为 registered 或 signed");
    }
    conv.own_unit_only = own;
    conv.seller_in_lib = lib;
    {
        char *path = NULL;
        rc = db_query_text(c->db, &path, e,
                           "SELECT path FROM org_units WHERE id = $1", "i",
                           unit);
        if (rc == ERR_NOTFOUND ||
            (rc == 0 && !actor_sees_path(&c->actor, path))) {
            rc = err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
        }
        free(path);
        if (rc) {
            return rc;
        }
    }
    snprintf(from, sizeof from, "%04d-01-01", (int)year);
    snprintf(to, sizeof to, "%04d-12-31", (int)year);
    rc = market_indicator_contract_amount(c->db, unit, from, to, &conv, &yuan,
                                          &n, e);
    if (rc) {
        return rc;
    }
    {
        Buf b;
        json_t *out;
        buf_init(&b, 64);
        money_format_wan(yuan, &b);
        out = json_pack(
            "{sIsIsssssIsssIs{sssssbsb}ss}", "unit_id", (json_int_t)unit,
            "year", (json_int_t)year, "from", from, "to", to, "amount",
            (json_int_t)yuan, "amount_wan", b.data, "contracts", (json_int_t)n,
            "convention", "amount",
            conv.amount == MARKET_AMOUNT_TECH ? "tech" : "total", "date",
            conv.date == MARKET_DATE_SIGNED ? "signed" : "registered",
            "own_unit_only", own, "seller_in_library", lib, "note",
            "口径（待天津市科技局技术市场处确认）：登记日期在期间内、卖方属于"
            "本单位（含下级单位）的已登记合同的合同成交额之和");
        buf_release(&b);
        return ctx_reply_json(c, 200, out);
    }
}

int api_contract_tax_relief(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t year = 0;
    int rc;

    rc = api_mk_year(c, &year, e);
    if (rc == 0) {
        rc = contract_tax_relief(c->db, &c->actor, (int)year, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 200,
        json_pack("{sosIss}", "items", out, "year", (json_int_t)year, "note",
                  "仅供参考：以技术转让、技术许可合同的技术交易额作为技术转让"
                  "收入估算（未扣除技术转让成本和相关税费，是上限）；居民企业"
                  "一个纳税年度内技术转让所得不超过 500 万元的部分免征、超过"
                  "部分减半征收企业所得税，按 25% 法定税率估算；须经科技部门"
                  "认定登记，实际以税务机关认定为准"));
}
