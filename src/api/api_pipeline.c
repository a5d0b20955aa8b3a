/* api_pipeline.c - the 四个一批 pipeline: batches, entries and their
 * transitions, the board, the funnel, cultivation tasks (worklist) and an
 * enterprise's journey. Every list exports as CSV/XLSX (?format=). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "domain/cultivation/pipeline.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A path id parameter (positive integer) or 404. */
static int api_pipe_id(Ctx *c, const char *name, int64_t *id, Err *e)
{
    return ctx_param_id(c, name, id, e);
}

/* ---- batches ------------------------------------------------------------ */

static const ApiItemCol api_batch_cols[] = {
    {"id", "编号", API_COL_INT},
    {"name", "批次名称", API_COL_TEXT},
    {"tier_name", "培育梯度", API_COL_TEXT},
    {"year", "年度", API_COL_INT},
    {"closed", "已关闭", API_COL_TEXT},
    {"note", "备注", API_COL_TEXT},
    {"created_at", "创建时间", API_COL_TIME},
};

/* Flatten counts of batch items for the export. */
static void api_batch_flat(json_t *items)
{
    json_t *it;
    size_t i;

    json_array_foreach(items, i, it)
    {
        json_t *cn = json_object_get(it, "counts");
        const char *k;
        json_t *v;
        json_object_foreach(cn, k, v)
        {
            char key[40];
            snprintf(key, sizeof key, "n_%s", k);
            json_object_set(it, key, v);
        }
    }
}

int api_pipeline_batches_list(Ctx *c, Err *e)
{
    static const ApiItemCol counts[] = {
        {"n_total", "企业数", API_COL_INT},
        {"n_select", "遴选", API_COL_INT},
        {"n_admit", "入库", API_COL_INT},
        {"n_cultivate", "培育", API_COL_INT},
        {"n_certify", "认定", API_COL_INT},
        {"n_withdrawn", "已退出", API_COL_INT},
    };
    ApiItemCol cols[N_OF(api_batch_cols) + N_OF(counts)];
    json_t *items = NULL;
    int64_t year = 0, total = 0;
    int format = 0, rc;
    Page p;

    rc = ctx_query_int(c, "year", 0, 0, 9999, &year, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        p.offset = 0;
        p.size = PIPE_EXPORT_MAX;
    }
    rc = pipe_batch_list(c->db, &c->actor, ctx_query(c, "tier"), year, p.offset,
                         p.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_page(c, items, total, &p);
    }
    memcpy(cols, api_batch_cols, sizeof api_batch_cols);
    memcpy(cols + N_OF(api_batch_cols), counts, sizeof counts);
    api_batch_flat(items);
    rc = api_items_export(c, format, items, cols, N_OF(cols), "培育批次", e);
    json_decref(items);
    return rc;
}

int api_pipeline_batches_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"tier", "year",         "name",
                                         "note", "review_chain", NULL};
    PipeBatchInput in;
    json_t *out = NULL;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "tier", 1, 32, &in.tier, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year", 1, 2000, 2100, &in.year, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 0, 50, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PIPE_TEXT_MAX, &in.note, NULL, e);
    }
    if (rc) {
        return rc;
    }
    in.review_chain = json_object_get(c->json, "review_chain");
    if (json_is_null(in.review_chain)) {
        in.review_chain = NULL;
    }
    rc = pipe_batch_create(c->db, &c->actor, &in, &id, e);
    if (rc == 0) {
        rc = pipe_batch_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_pipeline_batches_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = api_pipe_id(c, "batch_id", &id, e);

    if (rc == 0) {
        rc = pipe_batch_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_pipeline_batches_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"closed", "reason", NULL};
    const char *reason = NULL;
    json_t *out = NULL;
    int closed = 0;
    int64_t id;
    int rc = api_pipe_id(c, "batch_id", &id, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "closed", 1, &closed, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "reason", 0, PIPE_TEXT_MAX, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = pipe_batch_close(c->db, &c->actor, id, closed, reason, e);
    }
    if (rc == 0) {
        rc = pipe_batch_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_pipeline_board(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = api_pipe_id(c, "batch_id", &id, e);

    if (rc == 0) {
        rc = pipe_board(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_pipeline_entries_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"enterprise_id", "reason", NULL};
    const char *reason = NULL;
    json_t *out = NULL;
    int64_t batch, ent = 0, id = 0;
    int rc = api_pipe_id(c, "batch_id", &batch, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "enterprise_id", 1, 1, INT64_MAX, &ent, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "reason", 1, PIPE_TEXT_MAX, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = pipe_entry_add(c->db, &c->actor, batch, ent, reason, &id, e);
    }
    if (rc == 0) {
        rc = pipe_entry_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_pipeline_pick(Ctx *c, Err *e)
{
    static const char *const fields[] = {"limit", "unit_id", "verdict", NULL};
    const char *verdict = NULL;
    int64_t batch, limit = 50, unit = 0, added = 0;
    int rc = api_pipe_id(c, "batch_id", &batch, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "limit", 0, 1, PIPE_PICK_MAX, &limit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 1, INT64_MAX, &unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "verdict", 0, 32, &verdict, NULL, e);
    }
    if (rc == 0) {
        rc = pipe_pick_screening(c->db, &c->actor, batch, limit, unit, verdict,
                                 &added, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200,
                          json_pack("{sI}", "added", (json_int_t)added));
}

/* ---- entries ------------------------------------------------------------ */

static const ApiItemCol api_entry_cols[] = {
    {"id", "编号", API_COL_INT},
    {"batch_name", "批次", API_COL_TEXT},
    {"tier_name", "培育梯度", API_COL_TEXT},
    {"year", "年度", API_COL_INT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"unit_name", "所属单位", API_COL_TEXT},
    {"stage_name", "状态", API_COL_TEXT},
    {"source", "来源", API_COL_TEXT},
    {"rank", "接近程度排名", API_COL_INT},
    {"reason", "遴选理由", API_COL_TEXT},
    {"gaps", "遴选时差距", API_COL_TEXT},
    {"open_tasks", "未完成任务", API_COL_INT},
    {"attempts", "认定次数", API_COL_INT},
    {"unadmitted", "未入库即认定", API_COL_TEXT},
    {"outcome_reason", "认定说明", API_COL_TEXT},
    {"updated_at", "更新时间", API_COL_TIME},
};

static int api_pipe_filter(Ctx *c, PipeFilter *f, Err *e)
{
    int rc;

    memset(f, 0, sizeof *f);
    rc = ctx_query_int(c, "batch_id", 0, 0, INT64_MAX, &f->batch_id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "year", 0, 0, 9999, &f->year, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f->unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f->enterprise_id, e);
    }
    f->tier = ctx_query(c, "tier");
    f->stage = ctx_query(c, "stage");
    f->column = ctx_query(c, "column");
    f->q = ctx_query(c, "q");
    if (rc == 0 && f->q && strlen(f->q) > 200) {
        rc = err_set(e, ERR_INVALID, "q", "搜索文字过长");
    }
    return rc;
}

int api_pipeline_entries_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    PipeFilter f;
    int format = 0, rc;
    Page p;

    rc = api_pipe_filter(c, &f, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        p.offset = 0;
        p.size = PIPE_EXPORT_MAX;
    }
    rc = pipe_entry_list(c->db, &c->actor, &f, p.offset, p.size, &items, &total,
                         e);
    if (rc) {
        return rc;
    }
    return api_items_reply(c, items, total, &p, api_entry_cols,
                           N_OF(api_entry_cols), "培育企业", e);
}

int api_pipeline_entries_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = api_pipe_id(c, "entry_id", &id, e);

    if (rc == 0) {
        rc = pipe_entry_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_pipeline_entries_act(Ctx *c, Err *e)
{
    static const char *const fields[] = {"action", "comment", "owner_user_id",
                                         "due_on", NULL};
    json_t *out = NULL;
    PipeAct act;
    int64_t id;
    int rc = api_pipe_id(c, "entry_id", &id, e);

    memset(&act, 0, sizeof act);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "action", 1, 32, &act.action, NULL, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "comment", 0, PIPE_TEXT_MAX, &act.comment, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "owner_user_id", 0, 1, INT64_MAX,
                          &act.owner_user_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "due_on", 0, 20, &act.due_on, NULL, e);
    }
    if (rc == 0) {
        rc = pipe_entry_act(c->db, &c->actor, id, &act, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_pipeline_tasks_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"title", "owner_user_id", "due_on",
                                         NULL};
    const char *title = NULL, *due = NULL;
    int64_t entry, owner = 0, id = 0;
    json_t *out = NULL;
    int rc = api_pipe_id(c, "entry_id", &entry, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 1, 200, &title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "owner_user_id", 0, 1, INT64_MAX, &owner, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "due_on", 0, 20, &due, NULL, e);
    }
    if (rc == 0) {
        rc = pipe_task_add(c->db, &c->actor, entry, title, owner, due, &id, e);
    }
    if (rc == 0) {
        rc = pipe_entry_get(c->db, &c->actor, entry, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, out);
}

/* ---- funnel ------------------------------------------------------------- */

int api_pipeline_funnel(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"year", "年度", API_COL_INT},
        {"unit_name", "单位", API_COL_TEXT},
        {"selected", "遴选", API_COL_INT},
        {"admitted", "入库", API_COL_INT},
        {"cultivating", "培育", API_COL_INT},
        {"certified", "认定", API_COL_INT},
        {"not_certified", "未通过认定", API_COL_INT},
        {"withdrawn", "已退出", API_COL_INT},
        {"admit_rate", "入库率", API_COL_PCT},
        {"cultivate_rate", "培育率", API_COL_PCT},
        {"certify_rate", "认定率", API_COL_PCT},
        {"overall_rate", "总转化率", API_COL_PCT},
    };
    json_t *out = NULL;
    PipeFilter f;
    int format = 0, rc;

    rc = api_pipe_filter(c, &f, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = pipe_funnel(c->db, &c->actor, &f, &out, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, out);
    }
    rc = api_items_export(c, format, json_object_get(out, "rows"), cols,
                          N_OF(cols), "培育漏斗", e);
    json_decref(out);
    return rc;
}

int api_pipeline_journey(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc == 0) {
        rc = pipe_journey(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- tasks -------------------------------------------------------------- */

/* A 0/1 query flag ("1", "true"); ERR_INVALID otherwise. */
static int api_pipe_flag(Ctx *c, const char *name, int *out, Err *e)
{
    const char *v = ctx_query(c, name);

    *out = 0;
    if (!v || !*v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0) {
        return 0;
    }
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
        *out = 1;
        return 0;
    }
    return err_set(e, ERR_INVALID, name, "%s 应为 1 或 0", name);
}

int api_pipeline_tasks_list(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"id", "编号", API_COL_INT},
        {"enterprise_name", "企业名称", API_COL_TEXT},
        {"unit_name", "所属单位", API_COL_TEXT},
        {"batch_name", "批次", API_COL_TEXT},
        {"criterion", "条件", API_COL_TEXT},
        {"title", "任务", API_COL_TEXT},
        {"owner_name", "负责人", API_COL_TEXT},
        {"due_on", "完成期限", API_COL_DATE},
        {"status_name", "状态", API_COL_TEXT},
        {"overdue", "已逾期", API_COL_TEXT},
        {"done_on", "完成日期", API_COL_DATE},
        {"note", "备注", API_COL_TEXT},
    };
    PipeTaskFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0, rc;
    Page p;

    memset(&f, 0, sizeof f);
    rc = api_pipe_flag(c, "mine", &f.mine, e);
    if (rc == 0) {
        rc = api_pipe_flag(c, "overdue", &f.overdue, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "batch_id", 0, 0, INT64_MAX, &f.batch_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f.enterprise_id, e);
    }
    f.status = ctx_query(c, "status");
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        p.offset = 0;
        p.size = PIPE_EXPORT_MAX;
    }
    rc = pipe_task_list(c->db, &c->actor, &f, p.offset, p.size, &items, &total,
                        e);
    if (rc) {
        return rc;
    }
    return api_items_reply(c, items, total, &p, cols, N_OF(cols), "培育任务",
                           e);
}

int api_pipeline_tasks_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"status", "owner_user_id", "due_on",
                                         "note", NULL};
    PipeTaskInput in;
    json_t *out = NULL, *owner;
    int64_t id;
    int rc = api_pipe_id(c, "task_id", &id, e);

    memset(&in, 0, sizeof in);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "status", 0, 16, &in.status, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "due_on", 0, 20, &in.due_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PIPE_TEXT_MAX, &in.note, NULL, e);
    }
    owner = c->json ? json_object_get(c->json, "owner_user_id") : NULL;
    if (rc == 0 && owner) {
        in.has_owner = 1;
        if (!json_is_null(owner)) {
            rc = ctx_json_int(c, "owner_user_id", 1, 1, INT64_MAX,
                              &in.owner_user_id, NULL, e);
        }
    }
    if (rc == 0) {
        rc = pipe_task_update(c->db, &c->actor, id, &in, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}
