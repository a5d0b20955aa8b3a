/* api_sandbox.c - the policy sandbox: start a run of a draft rule set over
 * the caller's scope, follow it, list and export the enterprises whose
 * verdict or score would change. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api_export.h"
#include "base/date.h"
#include "domain/eligibility/sandbox.h"
#include "domain/jobs/job.h"

#define SANDBOX_KIND "sandbox"

int api_sandbox_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"source", "as_of", "against", NULL};
    json_t *v;
    const char *as_of_s = NULL;
    const char *against = NULL;
    const char *src;
    size_t len;
    Date as_of = date_today();
    json_t *job = NULL;
    int64_t id = 0;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc) {
        return rc;
    }
    v = json_object_get(c->json, "source");
    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        return err_set(e, ERR_INVALID, "source", "请提供规则草稿（source）");
    }
    src = json_string_value(v);
    len = json_string_length(v);
    rc = ctx_json_str(c, "as_of", 0, 10, &as_of_s, NULL, e);
    if (rc == 0 && as_of_s && *as_of_s) {
        rc = date_parse(as_of_s, &as_of, "as_of", e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "against", 0, 64, &against, NULL, e);
    }
    if (rc == 0) {
        rc = sandbox_start(c->db, c->app->db_location, &c->actor, src, len,
                           against, as_of, &id, e);
    }
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, id, SANDBOX_KIND, &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 202, job);
}

int api_sandbox_get(Ctx *c, Err *e)
{
    json_t *job = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, id, SANDBOX_KIND, &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, job);
}

/* Score range as text: "60", "56–62" or "". */
static void score_text(int has, int64_t lo, int64_t hi, char *out, size_t cap)
{
    if (!has) {
        out[0] = '\0';
    } else if (lo == hi) {
        snprintf(out, cap, "%lld", (long long)lo);
    } else {
        snprintf(out, cap, "%lld–%lld", (long long)lo, (long long)hi);
    }
}

typedef struct ListCtx {
    json_t *items;
    ApiExport *x;
    int rc;
    Err *e;
} ListCtx;

/* One change as a JSON item or an export row. */
static void list_row(void *ud, const SandboxChange *ch)
{
    ListCtx *l = ud;
    char before[48];
    char after[48];
    char trans[64];
    char eid[24];

    score_text(ch->has_before, ch->before_lo, ch->before_hi, before,
               sizeof before);
    score_text(ch->has_after, ch->after_lo, ch->after_hi, after, sizeof after);
    sandbox_transition_name(ch->verdict_before, ch->verdict_after, trans,
                            sizeof trans);
    if (l->x) {
        const char *cells[9];
        if (l->rc) {
            return;
        }
        snprintf(eid, sizeof eid, "%lld", (long long)ch->enterprise_id);
        cells[0] = ch->name;
        cells[1] = ch->uscc;
        cells[2] = ch->unit_name;
        cells[3] = rule_verdict_name(ch->verdict_before);
        cells[4] = rule_verdict_name(ch->verdict_after);
        cells[5] = before;
        cells[6] = after;
        cells[7] =
            ch->verdict_before != ch->verdict_after ? trans : "仅得分变化";
        cells[8] = eid;
        l->rc = api_export_row(l->x, cells, l->e);
        return;
    }
    {
        json_t *o = json_object();
        json_object_set_new(o, "enterprise_id",
                            json_integer(ch->enterprise_id));
        json_object_set_new(o, "name", json_string(ch->name ? ch->name : ""));
        json_object_set_new(o, "uscc", json_string(ch->uscc ? ch->uscc : ""));
        json_object_set_new(o, "unit_id", json_integer(ch->unit_id));
        json_object_set_new(o, "unit_name",
                            json_string(ch->unit_name ? ch->unit_name : ""));
        json_object_set_new(o, "verdict_before",
                            json_integer(ch->verdict_before));
        json_object_set_new(o, "verdict_after",
                            json_integer(ch->verdict_after));
        json_object_set_new(o, "verdict_before_name",
                            json_string(rule_verdict_name(ch->verdict_before)));
        json_object_set_new(o, "verdict_after_name",
                            json_string(rule_verdict_name(ch->verdict_after)));
        json_object_set_new(o, "score_before", json_string(before));
        json_object_set_new(o, "score_after", json_string(after));
        json_object_set_new(
            o, "verdict_changed",
            json_boolean(ch->verdict_before != ch->verdict_after));
        json_object_set_new(o, "transition", json_string(trans));
        json_array_append_new(l->items, o);
    }
}

int api_sandbox_changes(Ctx *c, Err *e)
{
    static const char *const titles[] = {
        "企业名称", "统一社会信用代码", "所属单位", "现行结论", "草稿结论",
        "现行得分", "草稿得分",         "变化",     "企业编号"};
    static const unsigned char numeric[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    const char *trans = ctx_query(c, "transition");
    SandboxFilter f;
    ApiExport x;
    ListCtx l;
    json_t *job = NULL;
    int64_t id;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc;

    memset(&f, 0, sizeof f);
    memset(&l, 0, sizeof l);
    l.e = e;
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        /* visibility and kind (the dispatcher checked the job's scope) */
        rc = job_get(c->db, &c->actor, id, SANDBOX_KIND, &job, e);
        json_decref(job);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0 && trans && *trans) {
        rc = sandbox_parse_transition(trans, &f, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_export_begin(&x, format, titles, numeric,
                              sizeof titles / sizeof titles[0], "沙盘试算变化",
                              e);
        if (rc) {
            return rc;
        }
        l.x = &x;
        rc = sandbox_changes(c->db, id, &f, 0, SANDBOX_EXPORT_MAX, list_row, &l,
                             &total, e);
        if (rc == 0) {
            rc = l.rc;
        }
        if (rc == 0 && total > SANDBOX_EXPORT_MAX) {
            rc = err_set(
                e, ERR_TOOBIG, "format",
                "共 %lld 行，超过单次导出上限 %d 行，请按单位筛选后导出",
                (long long)total, SANDBOX_EXPORT_MAX);
        }
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "沙盘试算变化", e);
    }
    rc = ctx_page(c, &p, e);
    if (rc) {
        return rc;
    }
    l.items = json_array();
    rc = sandbox_changes(c->db, id, &f, p.offset, p.size, list_row, &l, &total,
                         e);
    if (rc) {
        json_decref(l.items);
        return rc;
    }
    return ctx_reply_page(c, l.items, total, &p);
}
