/* api_market_pool.c - 一池四库 (market items by kind), matchmaking and 揭榜
 * challenges. Item fields are the column keys of pool.h, given as strings
 * (price as 万元 text); challenge actions take one body per action. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_export.h"
#include "api/api_upload.h"
#include "base/arena.h"
#include "base/money.h"
#include "domain/market/challenge.h"
#include "domain/market/event.h"
#include "domain/market/pool.h"
#include "domain/market/pool_ents.h"

/* Read the item columns of the body into in (strings; field may be a
 * number). */
static int api_pool_input(Ctx *c, PoolInput *in, Err *e)
{
    int col, rc = 0;

    memset(in, 0, sizeof *in);
    for (col = 0; rc == 0 && col < POOL_NCOLS; col++) {
        const char *key = pool_col_key(col);
        json_t *v = json_object_get(c->json, key);
        if (!v) {
            continue;
        }
        in->has[col] = 1;
        if (json_is_null(v)) {
            continue;
        }
        if (json_is_integer(v)) {
            char *buf = arena_alloc(c->arena, 24);
            snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
            in->v[col] = buf;
            continue;
        }
        rc = ctx_json_str(c, key, 0, 2000, &in->v[col], NULL, e);
    }
    return rc;
}

static int api_pool_fields(Ctx *c, int update, Err *e)
{
    static const char *const create_fields[] = {
        "kind",     "subkind",  "title",         "org_name",
        "uscc",     "field",    "industry_code", "summary",
        "maturity", "modes",    "ip_numbers",    "qualifications",
        "price",    "deadline", "contact_name",  "contact_phone",
        "status",   NULL};
    static const char *const update_fields[] = {
        "subkind",    "title",          "org_name",
        "uscc",       "field",          "industry_code",
        "summary",    "maturity",       "modes",
        "ip_numbers", "qualifications", "price",
        "deadline",   "contact_name",   "contact_phone",
        "status",     "retired",        "retire_reason",
        NULL};
    return ctx_json_fields(c, update ? update_fields : create_fields, e);
}

int api_pool_create(Ctx *c, Err *e)
{
    const char *kind = NULL;
    json_t *out = NULL;
    PoolInput in;
    int64_t id = 0;
    int rc;

    rc = api_pool_fields(c, 0, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 20, &kind, NULL, e);
    }
    if (rc == 0) {
        rc = api_pool_input(c, &in, e);
    }
    if (rc == 0) {
        rc = pool_create(c->db, &c->actor, kind, &in, &id, e);
    }
    if (rc == 0) {
        rc = pool_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_pool_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = pool_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_pool_update(Ctx *c, Err *e)
{
    const char *reason = NULL;
    json_t *out = NULL;
    PoolInput in;
    int retired = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_pool_fields(c, 1, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "retired", 0, &retired, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "retire_reason", 0, 500, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = api_pool_input(c, &in, e);
    }
    if (rc == 0) {
        rc = pool_update(c->db, &c->actor, id, &in, retired, reason, e);
    }
    if (rc == 0) {
        rc = pool_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

typedef struct ApiPoolExp {
    ApiExport x;
} ApiPoolExp;

static int api_pool_row(void *ud, const char *const *cells, size_t n, Err *e)
{
    (void)n;
    return api_export_row(&((ApiPoolExp *)ud)->x, cells, e);
}

int api_pool_list(Ctx *c, Err *e)
{
    PoolFilter f;
    json_t *items = NULL;
    int64_t total = 0, field = 0, retired = 0;
    int format = 0;
    Page pg;
    int rc;

    memset(&f, 0, sizeof f);
    f.kind = ctx_query(c, "kind");
    f.q = ctx_query(c, "q");
    f.subkind = ctx_query(c, "subkind");
    f.status = ctx_query(c, "status");
    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "field", 0, 0, 11, &field, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "include_retired", 0, 0, 1, &retired, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0 && !pool_kind_valid(f.kind)) {
        rc = err_set(e, ERR_INVALID, "kind",
                     "kind 应为 achievement、demand、institution 或 "
                     "resource");
    }
    if (rc) {
        return rc;
    }
    f.field = field;
    f.include_retired = (int)retired;
    if (format) {
        const char *titles[POOL_NCOLS];
        int cols[POOL_NCOLS], n = 0;
        ApiPoolExp x;
        pool_titles(f.kind, titles, cols, &n);
        rc = api_export_begin(&x.x, format, titles, NULL, (size_t)n,
                              pool_kind_name(f.kind), e);
        if (rc) {
            return rc;
        }
        rc = pool_export(c->db, &c->actor, &f, api_pool_row, &x, e);
        if (rc) {
            api_export_release(&x.x);
            return rc;
        }
        return api_export_reply(c, &x.x, pool_kind_name(f.kind), e);
    }
    rc = pool_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sosIsIsI}", "items", items, "total",
                                    (json_int_t)total, "page",
                                    (json_int_t)pg.page, "page_size",
                                    (json_int_t)pg.size));
}

int api_pool_match(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id, limit = 10;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "limit", 10, 1, POOL_MATCH_MAX, &limit, e);
    }
    if (rc == 0) {
        rc = pool_match(c->db, &c->actor, id, (int)limit, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{so}", "items", out));
}

int api_pool_reference(Ctx *c, Err *e)
{
    json_t *r = pool_reference_json();

    (void)e;
    json_object_set_new(r, "challenges", challenge_reference_json());
    json_object_set_new(r, "events", event_reference_json());
    return ctx_reply_json(c, 200, r);
}

int api_pool_import(Ctx *c, Err *e)
{
    const char *kind = ctx_query(c, "kind");
    const char *dry = ctx_query(c, "dry_run");
    json_t *report = NULL;
    int apply = dry && (strcmp(dry, "false") == 0 || strcmp(dry, "0") == 0);
    int valid_only = 0;
    ApiUpload u;
    int rc;

    if (!pool_kind_valid(kind)) {
        return err_set(e, ERR_INVALID, "kind", "未知的资源库类型");
    }
    rc = api_upload_mode(c, &valid_only, e);
    if (rc == 0) {
        rc = api_upload_open(c, "pool", &u, e);
    }
    if (rc) {
        return rc;
    }
    rc = pool_import_file(c->db, &c->actor, kind, u.path, apply, valid_only,
                          &report, e);
    api_upload_release(&u);
    if (rc) {
        json_decref(report);
        return rc;
    }
    return ctx_reply_json(c, 200, report);
}

/* ---- challenges ---- */

static int api_ch_args(Ctx *c, ChallengeArgs *x, Err *e)
{
    const char *money = NULL;
    int rc;

    memset(x, 0, sizeof *x);
    rc = ctx_json_str(c, "note", 0, 1000, &x->note, NULL, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 0, 200, &x->title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "date", 0, 32, &x->date, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "applicant", 0, 100, &x->applicant, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "applicant_kind", 0, 20, &x->applicant_kind, NULL,
                          e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "proposal", 0, 2000, &x->proposal, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "item_id", 0, 1, INT64_MAX, &x->item_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "ref_id", 0, 1, INT64_MAX, &x->ref_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "money_wan", 0, 40, &money, NULL, e);
    }
    if (rc == 0 && money && *money) {
        rc = money_parse_wan(money, &x->money, 0, "money_wan", e);
        x->has_money = rc == 0;
    }
    return rc;
}

int api_challenges_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"demand_id", "title", "date",
                                         "money_wan", "note",  NULL};
    ChallengeArgs x;
    json_t *out = NULL;
    int64_t demand = 0, id = 0;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_int(c, "demand_id", 1, 1, INT64_MAX, &demand, NULL, e);
    }
    if (rc == 0) {
        rc = api_ch_args(c, &x, e);
    }
    if (rc == 0) {
        rc = challenge_create(c->db, &c->actor, demand, &x, &id, e);
    }
    if (rc == 0) {
        rc = challenge_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_challenges_act(Ctx *c, Err *e)
{
    static const char *const fields[] = {
        "action",    "note",           "title",    "date",
        "applicant", "applicant_kind", "proposal", "item_id",
        "ref_id",    "money_wan",      NULL};
    const char *action = NULL;
    ChallengeArgs x;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "action", 1, 32, &action, NULL, e);
    }
    if (rc == 0) {
        rc = api_ch_args(c, &x, e);
    }
    if (rc == 0) {
        rc = challenge_act(c->db, &c->actor, id, action, &x, e);
    }
    if (rc == 0) {
        rc = challenge_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_challenges_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = challenge_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_challenges_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    Page pg;
    int rc;

    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = challenge_list(c->db, &c->actor, ctx_query(c, "stage"), pg.offset,
                            pg.size, &items, &total, e);
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

/* ---- enterprises for an achievement ---- */

int api_pool_ents(Ctx *c, Err *e)
{
    static const char *const titles[] = {"排名",
                                         "企业名称",
                                         "统一社会信用代码",
                                         "所属单位",
                                         "行业代码",
                                         "高新技术领域",
                                         "最近年度",
                                         "研发费用（万元）",
                                         "买方合同数",
                                         "得分",
                                         "理由"};
    static const unsigned char kinds[] = {
        API_COL_INT,  API_COL_TEXT, API_COL_TEXT, API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_INT,  API_COL_WAN,
        API_COL_INT,  API_COL_INT,  API_COL_TEXT};
    json_t *out = NULL, *row;
    int64_t id, limit = 10;
    int format = 0;
    size_t i;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "limit", format ? POOL_ENTS_MAX : 10, 1,
                           POOL_ENTS_MAX, &limit, e);
    }
    if (rc == 0) {
        rc = pool_ents_match(c->db, &c->actor, id, (int)limit, &out, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        ApiExport x;
        rc = api_export_begin(&x, format, titles, kinds,
                              sizeof titles / sizeof titles[0],
                              "可能需要的企业", e);
        if (rc) {
            json_decref(out);
            return rc;
        }
        json_array_foreach(out, i, row)
        {
            char rank[24], year[24], rd[48], n[24], score[24];
            Buf reasons, wan;
            json_t *r;
            size_t k;
            const char *cells[11];
            if (rc) {
                break;
            }
            buf_init(&reasons, 256);
            buf_init(&wan, 48);
            json_array_foreach(json_object_get(row, "reasons"), k, r)
            {
                buf_appendf(&reasons, "%s%s", k ? "；" : "",
                            json_string_value(r));
            }
            snprintf(rank, sizeof rank, "%zu", i + 1);
            snprintf(
                year, sizeof year, "%lld",
                (long long)json_integer_value(json_object_get(row, "rd_year")));
            rd[0] = '\0';
            if (json_is_integer(json_object_get(row, "rd_expense"))) {
                money_format_wan(
                    json_integer_value(json_object_get(row, "rd_expense")),
                    &wan);
                snprintf(rd, sizeof rd, "%s", wan.data);
            }
            snprintf(n, sizeof n, "%lld",
                     (long long)json_integer_value(
                         json_object_get(row, "buyer_contracts")));
            snprintf(
                score, sizeof score, "%lld",
                (long long)json_integer_value(json_object_get(row, "score")));
            cells[0] = rank;
            cells[1] = json_string_value(json_object_get(row, "name"));
            cells[2] = json_string_value(json_object_get(row, "uscc"));
            cells[3] = json_string_value(json_object_get(row, "unit_name"));
            cells[4] = json_string_value(json_object_get(row, "industry_code"));
            cells[5] =
                json_string_value(json_object_get(row, "tech_domain_name"));
            cells[6] =
                json_is_integer(json_object_get(row, "rd_year")) ? year : NULL;
            cells[7] = rd[0] ? rd : NULL;
            cells[8] = n;
            cells[9] = score;
            cells[10] = reasons.data;
            rc = api_export_row(&x, cells, e);
            buf_release(&reasons);
            buf_release(&wan);
        }
        json_decref(out);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "可能需要的企业", e);
    }
    return ctx_reply_json(c, 200, json_pack("{so}", "items", out));
}
