/* api_market_event.c - 成果对接会 (matchmaking events): list with filters
 * and export, detail, create, edit (whole event with a reason), cancel.
 * The body's shape is event.h's; the domain checks it. Import of a
 * CSV/XLSX of events (dry run, all or nothing, valid events only) and its
 * template. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api_export.h"
#include "api/api_upload.h"
#include "domain/market/event.h"

static const char *const api_event_fields[] = {
    "title",   "held_on", "place",     "organiser", "note",   "status",
    "unit_id", "items",   "attendees", "deals",     "reason", NULL};

int api_events_create(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id = 0;
    int rc;

    rc = ctx_json_fields(c, api_event_fields, e);
    if (rc == 0 && json_object_get(c->json, "reason")) {
        rc = err_set(e, ERR_INVALID, "reason", "新增对接会不需要修改原因");
    }
    if (rc == 0) {
        rc = event_create(c->db, &c->actor, c->json, &id, e);
    }
    if (rc == 0) {
        rc = event_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_events_update(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, api_event_fields, e);
    }
    if (rc == 0) {
        rc = event_update(c->db, &c->actor, id, c->json, e);
    }
    if (rc == 0) {
        rc = event_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_events_cancel(Ctx *c, Err *e)
{
    static const char *const fields[] = {"reason", NULL};
    const char *reason = NULL;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "reason", 0, 4000, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = event_cancel(c->db, &c->actor, id, reason, e);
    }
    if (rc == 0) {
        rc = event_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_events_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = event_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

static int api_event_row(void *ud, const char *const *cells, Err *e)
{
    return api_export_row(ud, cells, e);
}

int api_events_list(Ctx *c, Err *e)
{
    static const unsigned char kinds[EVENT_EXPORT_COLS] = {
        API_COL_TEXT, API_COL_DATE, API_COL_TEXT, API_COL_TEXT,
        API_COL_TEXT, API_COL_TEXT, API_COL_INT,  API_COL_INT,
        API_COL_INT,  API_COL_INT,  API_COL_WAN,  API_COL_WAN};
    EventFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page pg;
    int rc;

    memset(&f, 0, sizeof f);
    f.q = ctx_query(c, "q");
    f.status = ctx_query(c, "status");
    f.from = ctx_query(c, "from");
    f.to = ctx_query(c, "to");
    rc = ctx_page(c, &pg, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        ApiExport x;
        rc = api_export_begin(&x, format, event_export_titles, kinds,
                              EVENT_EXPORT_COLS, "成果对接会", e);
        if (rc) {
            return rc;
        }
        rc = event_export(c->db, &c->actor, &f, api_event_row, &x, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "成果对接会", e);
    }
    rc =
        event_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &pg);
}

int api_events_import(Ctx *c, Err *e)
{
    return api_upload_import(c, "events", event_import_file, e);
}

int api_events_import_template(Ctx *c, Err *e)
{
    return api_upload_template(c, event_import_template_csv,
                               "成果对接会导入模板.csv", e);
}
