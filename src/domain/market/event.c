/* event.c - 成果对接会 (see event.h). The body is checked whole first (all
 * lookups: units, items, enterprises, contracts, each in a's scope), then
 * written in one transaction: the event row, and its items, attendees and
 * deals replaced as a whole, with one audit entry carrying the event
 * before and after. */
#include "domain/market/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/valid.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/market/mk_list.h"

#define EV_TEXT 200
#define EV_NOTE 1000

#define EV_N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The code tables of an event, each the one place its names live: the
 * checks of a body, the list filter, the import, status_name / kind_name
 * of a read and GET /reference/market-items (events) all use them. An
 * event is created or edited as planned or held (settable); cancelled
 * only by event_cancel. */
static const struct {
    const char *code, *name;
    int settable;
} ev_statuses[] = {
    {"planned", "筹备中", 1},
    {"held", "已举办", 1},
    {"cancelled", "已取消", 0},
};

static const struct {
    const char *code, *name;
} ev_att_kinds[] =
    {
        {"enterprise", "企业"},
        {"institution", "机构"},
},
  ev_deal_kinds[] = {
      {"contract", "已登记合同"},
      {"intended", "意向成交"},
};

/* The ev_statuses index of s (code, or name when by_name), -1 if none. */
static int ev_status_find(const char *s, int by_name)
{
    for (size_t i = 0; s && i < EV_N_OF(ev_statuses); i++) {
        if (strcmp(ev_statuses[i].code, s) == 0 ||
            (by_name && strcmp(ev_statuses[i].name, s) == 0)) {
            return (int)i;
        }
    }
    return -1;
}

const char *event_attendee_kind(const char *s)
{
    for (size_t i = 0; s && i < EV_N_OF(ev_att_kinds); i++) {
        if (strcmp(ev_att_kinds[i].code, s) == 0 ||
            strcmp(ev_att_kinds[i].name, s) == 0) {
            return ev_att_kinds[i].code;
        }
    }
    return NULL;
}

static const char *ev_att_kind_name(const char *code)
{
    for (size_t i = 0; code && i < EV_N_OF(ev_att_kinds); i++) {
        if (strcmp(ev_att_kinds[i].code, code) == 0) {
            return ev_att_kinds[i].name;
        }
    }
    return code ? code : "";
}

/* The statuses as [{"value", "label"}] (only the settable ones when
 * settable_only): what a refused status is told to be. */
static json_t *ev_status_table(int settable_only)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < EV_N_OF(ev_statuses); i++) {
        if (!settable_only || ev_statuses[i].settable) {
            json_array_append_new(arr, json_pack("{ssss}", "value",
                                                 ev_statuses[i].code, "label",
                                                 ev_statuses[i].name));
        }
    }
    return arr;
}

json_t *event_reference_json(void)
{
    json_t *st = json_array(), *att = json_array(), *deal = json_array();

    for (size_t i = 0; i < EV_N_OF(ev_statuses); i++) {
        json_array_append_new(st, json_pack("{sssssb}", "value",
                                            ev_statuses[i].code, "label",
                                            ev_statuses[i].name, "settable",
                                            ev_statuses[i].settable));
    }
    for (size_t i = 0; i < EV_N_OF(ev_att_kinds); i++) {
        json_array_append_new(att,
                              json_pack("{ssss}", "value", ev_att_kinds[i].code,
                                        "label", ev_att_kinds[i].name));
    }
    for (size_t i = 0; i < EV_N_OF(ev_deal_kinds); i++) {
        json_array_append_new(deal, json_pack("{ssss}", "value",
                                              ev_deal_kinds[i].code, "label",
                                              ev_deal_kinds[i].name));
    }
    return json_pack("{sososo}", "statuses", st, "attendee_kinds", att,
                     "deal_kinds", deal);
}

typedef struct EvAtt {
    char kind[16];
    char name[4 * EV_TEXT + 1];
    int64_t ent_id;
    int attended;
} EvAtt;

typedef struct EvDeal {
    int64_t contract_id;
    char title[4 * EV_TEXT + 1];
    char parties[4 * EV_TEXT + 1];
    int64_t amount;
    int64_t item_id;
} EvDeal;

typedef struct EvIn {
    char title[4 * EV_TEXT + 1];
    char held_on[DATE_ISO_SIZE];
    char place[4 * EV_TEXT + 1];
    char organiser[4 * EV_TEXT + 1];
    char note[4 * EV_NOTE + 1];
    char status[16];
    int64_t unit_id;
    char unit_path[ACTOR_PATH_MAX];
    int64_t items[EVENT_ITEMS_MAX];
    size_t n_items;
    EvAtt *att;
    size_t n_att;
    EvDeal *deals;
    size_t n_deals;
} EvIn;

static void ev_in_free(EvIn *in)
{
    if (in) {
        free(in->att);
        free(in->deals);
        free(in);
    }
}

/* Optional text key of o (NULL, "" or absent: out = "") checked by
 * valid_text; required: at least one character. */
static int ev_text(const json_t *o, const char *key, const char *field,
                   const char *label, int required, size_t max, char *out,
                   size_t cap, Err *e)
{
    const json_t *v = json_object_get(o, key);

    out[0] = '\0';
    if (!v || json_is_null(v)) {
        if (required) {
            return err_set(e, ERR_INVALID, field, "请填写%s", label);
        }
        return 0;
    }
    if (!json_is_string(v)) {
        return err_set(e, ERR_INVALID, field, "%s应为文本", label);
    }
    return valid_text(json_string_value(v), required ? 1 : 0, max, out, cap,
                      field, label, e);
}

/* Optional positive integer id key of o (0 when absent or null). */
static int ev_id(const json_t *o, const char *key, const char *field,
                 const char *label, int64_t *out, Err *e)
{
    const json_t *v = json_object_get(o, key);

    *out = 0;
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        return err_set(e, ERR_INVALID, field, "%s应为正整数编号", label);
    }
    *out = json_integer_value(v);
    return 0;
}

/* The path of the object the query finds by $1, checked against a's
 * scope; ERR_INVALID naming field with msg when absent or outside. */
static int ev_visible(Db *db, const Actor *a, const char *sql, int64_t id,
                      const char *field, const char *msg, Err *e)
{
    char *path = NULL;
    int rc = db_query_text(db, &path, e, sql, "i", id);

    if (rc == ERR_NOTFOUND ||
        (rc == 0 && (!path || !actor_sees_path(a, path)))) {
        rc = err_set(e, ERR_INVALID, field, "%s", msg);
    }
    free(path);
    return rc;
}

static int ev_parse_items(Db *db, const Actor *a, const json_t *arr, EvIn *in,
                          Err *e)
{
    char field[64], msg[160];
    size_t i, j;
    json_t *v;
    int rc = 0;

    if (!arr || json_is_null(arr)) {
        return 0;
    }
    if (!json_is_array(arr)) {
        return err_set(e, ERR_INVALID, "items",
                       "展示项目应为成果或需求编号的列表");
    }
    if (json_array_size(arr) > EVENT_ITEMS_MAX) {
        return err_set(e, ERR_TOOBIG, "items", "展示项目最多 %d 项",
                       EVENT_ITEMS_MAX);
    }
    json_array_foreach(arr, i, v)
    {
        int64_t id;
        snprintf(field, sizeof field, "items[%zu]", i + 1);
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            return err_set(e, ERR_INVALID, field,
                           "展示项目第 %zu 项应为成果或需求的编号", i + 1);
        }
        id = json_integer_value(v);
        for (j = 0; j < in->n_items; j++) {
            if (in->items[j] == id) {
                return err_set(e, ERR_INVALID, field,
                               "展示项目第 %zu 项与第 %zu 项重复", i + 1,
                               j + 1);
            }
        }
        snprintf(msg, sizeof msg,
                 "展示项目第 %zu 项：成果或需求不存在或不在本人数据范围内",
                 i + 1);
        rc = ev_visible(db, a,
                        "SELECT o.path FROM market_items i JOIN org_units o "
                        "ON o.id = i.unit_id WHERE i.id = $1 AND i.kind IN "
                        "('achievement', 'demand') AND i.retired_at IS NULL",
                        id, field, msg, e);
        if (rc) {
            return rc;
        }
        in->items[in->n_items++] = id;
    }
    return 0;
}

static int ev_parse_att(Db *db, const Actor *a, const json_t *arr, EvIn *in,
                        Err *e)
{
    char field[64], msg[160];
    size_t i, j;
    json_t *v;
    int rc = 0;

    if (!arr || json_is_null(arr)) {
        return 0;
    }
    if (!json_is_array(arr)) {
        return err_set(e, ERR_INVALID, "attendees", "参会单位应为列表");
    }
    if (json_array_size(arr) > EVENT_ATTENDEES_MAX) {
        return err_set(e, ERR_TOOBIG, "attendees", "参会单位最多 %d 个",
                       EVENT_ATTENDEES_MAX);
    }
    in->att = xcalloc(json_array_size(arr) + 1, sizeof *in->att);
    json_array_foreach(arr, i, v)
    {
        EvAtt *t = &in->att[in->n_att];
        const json_t *kind = json_object_get(v, "kind");
        const json_t *att = json_object_get(v, "attended");
        const char *k;
        if (!json_is_object(v)) {
            snprintf(field, sizeof field, "attendees[%zu]", i + 1);
            return err_set(e, ERR_INVALID, field, "参会单位第 %zu 行格式不对",
                           i + 1);
        }
        snprintf(field, sizeof field, "attendees[%zu].kind", i + 1);
        k = event_attendee_kind(json_string_value(kind));
        if (!k) {
            return err_set(e, ERR_INVALID, field,
                           "参会单位第 %zu 行：类型应为企业或机构", i + 1);
        }
        snprintf(t->kind, sizeof t->kind, "%s", k);
        snprintf(field, sizeof field, "attendees[%zu].ent_id", i + 1);
        rc = ev_id(v, "ent_id", field, "企业", &t->ent_id, e);
        if (rc == 0 && t->ent_id) {
            snprintf(msg, sizeof msg,
                     "参会单位第 %zu 行：企业不存在或不在本人数据范围内",
                     i + 1);
            rc = ev_visible(db, a,
                            "SELECT o.path FROM enterprises x JOIN org_units "
                            "o ON o.id = x.unit_id WHERE x.id = $1",
                            t->ent_id, field, msg, e);
        }
        if (rc) {
            return rc;
        }
        snprintf(field, sizeof field, "attendees[%zu].name", i + 1);
        rc = ev_text(v, "name", field, "参会单位名称", !t->ent_id, EV_TEXT,
                     t->name, sizeof t->name, e);
        if (rc == 0 && t->ent_id && !t->name[0]) {
            char *nm = NULL;
            rc = db_query_text(db, &nm, e,
                               "SELECT name FROM enterprises WHERE id = $1",
                               "i", t->ent_id);
            if (rc == 0) {
                snprintf(t->name, sizeof t->name, "%s", nm ? nm : "");
            }
            free(nm);
        }
        if (rc) {
            return rc;
        }
        if (att && !json_is_null(att) && !json_is_boolean(att)) {
            snprintf(field, sizeof field, "attendees[%zu].attended", i + 1);
            return err_set(e, ERR_INVALID, field,
                           "参会单位第 %zu 行：是否到会应为是或否", i + 1);
        }
        t->attended = json_is_true(att);
        for (j = 0; j < in->n_att; j++) {
            if ((t->ent_id && in->att[j].ent_id == t->ent_id) ||
                strcmp(in->att[j].name, t->name) == 0) {
                snprintf(field, sizeof field, "attendees[%zu]", i + 1);
                return err_set(e, ERR_INVALID, field,
                               "参会单位第 %zu 行与第 %zu 行重复（%s）", i + 1,
                               j + 1, t->name);
            }
        }
        in->n_att++;
    }
    return 0;
}

static int ev_parse_deals(Db *db, const Actor *a, const json_t *arr, EvIn *in,
                          Err *e)
{
    char field[64], msg[160];
    size_t i, j;
    json_t *v;
    int rc = 0;

    if (!arr || json_is_null(arr)) {
        return 0;
    }
    if (!json_is_array(arr)) {
        return err_set(e, ERR_INVALID, "deals", "成交情况应为列表");
    }
    if (json_array_size(arr) > EVENT_DEALS_MAX) {
        return err_set(e, ERR_TOOBIG, "deals", "成交情况最多 %d 项",
                       EVENT_DEALS_MAX);
    }
    in->deals = xcalloc(json_array_size(arr) + 1, sizeof *in->deals);
    json_array_foreach(arr, i, v)
    {
        EvDeal *d = &in->deals[in->n_deals];
        if (!json_is_object(v)) {
            snprintf(field, sizeof field, "deals[%zu]", i + 1);
            return err_set(e, ERR_INVALID, field, "成交第 %zu 项格式不对",
                           i + 1);
        }
        snprintf(field, sizeof field, "deals[%zu].contract_id", i + 1);
        rc = ev_id(v, "contract_id", field, "技术合同", &d->contract_id, e);
        if (rc == 0 && d->contract_id) {
            snprintf(msg, sizeof msg,
                     "成交第 %zu 项：技术合同不存在或不在本人数据范围内",
                     i + 1);
            rc = ev_visible(db, a,
                            "SELECT o.path FROM contracts c JOIN org_units o "
                            "ON o.id = c.unit_id WHERE c.id = $1",
                            d->contract_id, field, msg, e);
            for (j = 0; rc == 0 && j < in->n_deals; j++) {
                if (in->deals[j].contract_id == d->contract_id) {
                    rc = err_set(e, ERR_INVALID, field,
                                 "成交第 %zu 项与第 %zu 项是同一份技术合同",
                                 i + 1, j + 1);
                }
            }
        }
        if (rc) {
            return rc;
        }
        snprintf(field, sizeof field, "deals[%zu].item_id", i + 1);
        rc = ev_id(v, "item_id", field, "成果或需求", &d->item_id, e);
        if (rc == 0 && d->item_id) {
            int found = 0;
            for (j = 0; j < in->n_items; j++) {
                found |= in->items[j] == d->item_id;
            }
            if (!found) {
                rc = err_set(
                    e, ERR_INVALID, field,
                    "成交第 %zu 项：关联的成果或需求不在本次展示项目中", i + 1);
            }
        }
        if (rc) {
            return rc;
        }
        if (d->contract_id) {
            /* title, parties and amount are the contract's */
            DbStmt *st = NULL;
            rc = db_prepare_v(db, &st, e,
                              "SELECT title, seller_name, buyer_name, amount "
                              "FROM contracts WHERE id = $1",
                              "i", d->contract_id);
            if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
                snprintf(d->title, sizeof d->title, "%s", db_col_text(st, 0));
                snprintf(d->parties, sizeof d->parties, "%s → %s",
                         db_col_text(st, 1), db_col_text(st, 2));
                d->amount = db_col_int64(st, 3);
                rc = 0;
            } else if (rc == DB_DONE) {
                rc = err_set(e, ERR_INVALID, field, "技术合同不存在");
            }
            db_finalize(st);
            if (rc) {
                return rc;
            }
        } else {
            const json_t *amt = json_object_get(v, "amount_wan");
            const char *s = json_string_value(amt);
            snprintf(field, sizeof field, "deals[%zu].title", i + 1);
            rc = ev_text(v, "title", field, "意向成交项目名称", 1, EV_TEXT,
                         d->title, sizeof d->title, e);
            if (rc == 0) {
                snprintf(field, sizeof field, "deals[%zu].parties", i + 1);
                rc = ev_text(v, "parties", field, "成交各方", 0, EV_TEXT,
                             d->parties, sizeof d->parties, e);
            }
            if (rc) {
                return rc;
            }
            snprintf(field, sizeof field, "deals[%zu].amount_wan", i + 1);
            if (!s || !*s) {
                return err_set(e, ERR_INVALID, field,
                               "成交第 %zu 项：请填写意向金额（万元）", i + 1);
            }
            if (strchr(s, '-') || strstr(s, "－")) {
                return err_set(e, ERR_INVALID, field,
                               "成交第 %zu 项：意向金额不能为负数", i + 1);
            }
            rc = money_parse_wan(s, &d->amount, 0, field, e);
            if (rc) {
                return rc;
            }
        }
        in->n_deals++;
    }
    return 0;
}

/* Check body whole into *out (caller frees with ev_in_free). */
static int ev_parse(Db *db, const Actor *a, const json_t *body,
                    int64_t default_unit, EvIn **out, Err *e)
{
    EvIn *in = xcalloc(1, sizeof *in);
    const char *held;
    Date d;
    int rc;

    *out = NULL;
    rc = ev_text(body, "title", "title", "对接会名称", 1, EV_TEXT, in->title,
                 sizeof in->title, e);
    if (rc == 0) {
        held = json_string_value(json_object_get(body, "held_on"));
        if (!held || !*held) {
            rc = err_set(e, ERR_INVALID, "held_on", "请填写举办日期");
        } else if ((rc = date_parse(held, &d, "held_on", e)) == 0) {
            date_format_iso(d, in->held_on);
        }
    }
    if (rc == 0) {
        rc = ev_text(body, "place", "place", "地点", 0, EV_TEXT, in->place,
                     sizeof in->place, e);
    }
    if (rc == 0) {
        rc = ev_text(body, "organiser", "organiser", "主办单位", 0, EV_TEXT,
                     in->organiser, sizeof in->organiser, e);
    }
    if (rc == 0) {
        rc = ev_text(body, "note", "note", "备注", 0, EV_NOTE, in->note,
                     sizeof in->note, e);
    }
    if (rc == 0) {
        const char *s = json_string_value(json_object_get(body, "status"));
        int k = !s || !*s ? 0 : ev_status_find(s, 1);
        if (k >= 0 && ev_statuses[k].settable) {
            snprintf(in->status, sizeof in->status, "%s", ev_statuses[k].code);
        } else {
            rc = labels_refuse(e, "status", "状态", ev_status_table(1),
                               "（取消请用“取消对接会”）");
        }
    }
    if (rc == 0) {
        rc = ev_id(body, "unit_id", "unit_id", "所属单位", &in->unit_id, e);
    }
    if (rc == 0) {
        char *path = NULL;
        if (!in->unit_id) {
            in->unit_id = default_unit;
        }
        rc = db_query_text(db, &path, e,
                           "SELECT path FROM org_units WHERE id = $1", "i",
                           in->unit_id);
        if (rc == ERR_NOTFOUND ||
            (rc == 0 && (!path || !actor_sees_path(a, path)))) {
            rc = err_set(e, ERR_INVALID, "unit_id",
                         "所属单位不存在或不在本人数据范围内");
        } else if (rc == 0) {
            snprintf(in->unit_path, sizeof in->unit_path, "%s", path);
        }
        free(path);
    }
    if (rc == 0) {
        rc = ev_parse_items(db, a, json_object_get(body, "items"), in, e);
    }
    if (rc == 0) {
        rc = ev_parse_att(db, a, json_object_get(body, "attendees"), in, e);
    }
    if (rc == 0) {
        rc = ev_parse_deals(db, a, json_object_get(body, "deals"), in, e);
    }
    if (rc) {
        ev_in_free(in);
        return rc;
    }
    *out = in;
    return 0;
}

#define EV_NULLIF(s) ((s)[0] ? (s) : NULL)

/* Write the child rows of event id from in (after deleting the old). */
static int ev_write_children(Db *db, int64_t id, const EvIn *in, Err *e)
{
    size_t i;
    int rc;

    rc = db_exec_v(db, e, "DELETE FROM market_event_items WHERE event_id = $1",
                   "i", id);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM market_event_attendees WHERE event_id = $1",
                       "i", id);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM market_event_deals WHERE event_id = $1",
                       "i", id);
    }
    for (i = 0; rc == 0 && i < in->n_items; i++) {
        rc = db_exec_v(db, e,
                       "INSERT INTO market_event_items (event_id, item_id, "
                       "pos) VALUES ($1, $2, $3)",
                       "iii", id, in->items[i], (int64_t)i + 1);
    }
    for (i = 0; rc == 0 && i < in->n_att; i++) {
        const EvAtt *t = &in->att[i];
        int64_t ent = t->ent_id;
        rc = db_exec_v(db, e,
                       "INSERT INTO market_event_attendees (event_id, pos, "
                       "kind, name, ent_id, attended) VALUES ($1, $2, $3, $4, "
                       "$5, $6)",
                       "iittpi", id, (int64_t)i + 1, t->kind, t->name,
                       ent ? &ent : NULL, (int64_t)t->attended);
    }
    for (i = 0; rc == 0 && i < in->n_deals; i++) {
        const EvDeal *d = &in->deals[i];
        int64_t cid = d->contract_id, iid = d->item_id;
        rc = db_exec_v(db, e,
                       "INSERT INTO market_event_deals (event_id, pos, "
                       "contract_id, title, parties, amount, item_id) VALUES "
                       "($1, $2, $3, $4, $5, $6, $7)",
                       "iipttip", id, (int64_t)i + 1, cid ? &cid : NULL,
                       d->title, EV_NULLIF(d->parties), d->amount,
                       iid ? &iid : NULL);
    }
    return rc;
}

/* The stored event id as JSON (no scope check) into *out; *path its unit
 * path. ERR_NOTFOUND when absent. */
static int ev_load(Db *db, int64_t id, json_t **out, char *path, size_t cap,
                   Err *e);

int event_create_in(Db *db, const Actor *a, const json_t *body, int in_tx,
                    int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    EvIn *in = NULL;
    DbStmt *st = NULL;
    int64_t id = 0;
    int rc;

    rc = ev_parse(db, a, body, a->unit_id, &in, e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = in_tx ? 0 : db_begin(db, e);
    if (rc) {
        goto out0;
    }
    rc = db_prepare_v(db, &st, e,
                      "INSERT INTO market_events (title, held_on, place, "
                      "organiser, status, note, unit_id, created_at, "
                      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                      "$8) RETURNING id",
                      "ttttttit", in->title, in->held_on, EV_NULLIF(in->place),
                      EV_NULLIF(in->organiser), in->status, EV_NULLIF(in->note),
                      in->unit_id, now);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_DB, NULL, "写入失败");
    }
    db_finalize(st);
    if (rc == 0) {
        rc = ev_write_children(db, id, in, e);
    }
    if (in_tx) { /* the caller's transaction and audit entry */
        *id_out = rc == 0 ? id : 0;
        goto out0;
    }
    if (rc == 0) {
        rc = ev_load(db, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "market_event.create", "market_event", id,
                          in->unit_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else {
        *id_out = id;
    }
out0:
    json_decref(after);
    ev_in_free(in);
    return rc;
}

int event_create(Db *db, const Actor *a, const json_t *body, int64_t *id_out,
                 Err *e)
{
    return event_create_in(db, a, body, 0, id_out, e);
}

/* The event's stored status and unit path, in a's scope. */
static int ev_head(Db *db, const Actor *a, int64_t id, char *status,
                   size_t scap, char *path, size_t pcap, int64_t *unit, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT x.status, o.path, x.unit_id FROM market_events "
                      "x JOIN "
                      "org_units o ON o.id = x.unit_id WHERE x.id = $1",
                      "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW &&
        actor_sees_path(a, db_col_text(st, 1))) {
        snprintf(status, scap, "%s", db_col_text(st, 0));
        snprintf(path, pcap, "%s", db_col_text(st, 1));
        if (unit) {
            *unit = db_col_int64(st, 2);
        }
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "对接会不存在");
    }
    db_finalize(st);
    return rc;
}

int event_update(Db *db, const Actor *a, int64_t id, const json_t *body, Err *e)
{
    char now[CLOCK_ISO_LEN], status[16], path[ACTOR_PATH_MAX];
    char reason[4 * EV_NOTE + 1];
    json_t *before = NULL, *after = NULL;
    EvIn *in = NULL;
    int64_t unit = 0;
    int rc;

    rc = ev_head(db, a, id, status, sizeof status, path, sizeof path, &unit, e);
    if (rc == 0 && strcmp(status, "cancelled") == 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "对接会已取消，不能再修改");
    }
    if (rc == 0) {
        rc = ev_text(body, "reason", "reason", "修改原因", 1, EV_NOTE, reason,
                     sizeof reason, e);
    }
    if (rc == 0) {
        rc = ev_parse(db, a, body, unit, &in, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out0;
    }
    rc = ev_load(db, id, &before, NULL, 0, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE market_events SET title = $2, held_on = $3, "
                       "place = $4, organiser = $5, status = $6, note = $7, "
                       "unit_id = $8, updated_at = $9 WHERE id = $1",
                       "ittttttit", id, in->title, in->held_on,
                       EV_NULLIF(in->place), EV_NULLIF(in->organiser),
                       in->status, EV_NULLIF(in->note), in->unit_id, now);
    }
    if (rc == 0) {
        rc = ev_write_children(db, id, in, e);
    }
    if (rc == 0) {
        rc = ev_load(db, id, &after, NULL, 0, e);
    }
    if (rc == 0) {
        json_object_del(before, "updated_at");
        json_object_del(after, "updated_at");
        if (json_equal(before, after)) {
            rc = err_set(e, ERR_INVALID, NULL, "没有需要修改的内容");
        }
    }
    if (rc == 0) {
        json_object_set_new(after, "reason", json_string(reason));
        rc = audit_record(db, a, "market_event.update", "market_event", id,
                          path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out0:
    json_decref(before);
    json_decref(after);
    ev_in_free(in);
    return rc;
}

int event_cancel(Db *db, const Actor *a, int64_t id, const char *reason, Err *e)
{
    char now[CLOCK_ISO_LEN], status[16], path[ACTOR_PATH_MAX];
    char clean[4 * EV_NOTE + 1];
    json_t *after = NULL;
    int rc;

    rc = ev_head(db, a, id, status, sizeof status, path, sizeof path, NULL, e);
    if (rc == 0 && strcmp(status, "cancelled") == 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "对接会已取消");
    }
    if (rc == 0 && (!reason || !*reason)) {
        rc = err_set(e, ERR_INVALID, "reason", "请填写取消原因");
    }
    if (rc == 0) {
        rc = valid_text(reason, 1, EV_NOTE, clean, sizeof clean, "reason",
                        "取消原因", e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_exec_v(db, e,
                   "UPDATE market_events SET status = 'cancelled', "
                   "cancel_reason = $2, updated_at = $3 WHERE id = $1",
                   "itt", id, clean, now);
    if (rc == 0) {
        after = json_pack("{ssssss}", "status", "cancelled", "cancel_reason",
                          clean, "before_status", status);
        rc = audit_record(db, a, "market_event.cancel", "market_event", id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

static json_t *ev_text_json(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static const char *ev_status_name(const char *s)
{
    int k = ev_status_find(s, 0);

    return k >= 0 ? ev_statuses[k].name : s ? s : "";
}

/* totals of event id's children (attendees, attended, deals, amount of
 * all deals and of those with a registered contract) */
#define EV_TOTALS                                                              \
    "(SELECT COUNT(*) FROM market_event_items i WHERE i.event_id = x.id), "    \
    "(SELECT COUNT(*) FROM market_event_attendees t WHERE t.event_id = "       \
    "x.id), (SELECT COUNT(*) FROM market_event_attendees t WHERE "             \
    "t.event_id = x.id AND t.attended = 1), (SELECT COUNT(*) FROM "            \
    "market_event_deals d WHERE d.event_id = x.id), (SELECT "                  \
    "COALESCE(SUM(d.amount), 0) FROM market_event_deals d WHERE d.event_id "   \
    "= x.id), (SELECT COALESCE(SUM(d.amount), 0) FROM market_event_deals d "   \
    "WHERE d.event_id = x.id AND d.contract_id IS NOT NULL)"

#define EV_SELECT                                                              \
    "SELECT x.id, x.title, x.held_on, x.place, x.organiser, x.status, "        \
    "x.cancel_reason, x.note, x.unit_id, o.name, o.path, x.created_at, "       \
    "x.updated_at, " EV_TOTALS " FROM market_events x JOIN org_units o ON "    \
    "o.id = x.unit_id "

static json_t *ev_row_json(DbStmt *st)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "title", ev_text_json(st, 1));
    json_object_set_new(o, "held_on", ev_text_json(st, 2));
    json_object_set_new(o, "place", ev_text_json(st, 3));
    json_object_set_new(o, "organiser", ev_text_json(st, 4));
    json_object_set_new(o, "status", ev_text_json(st, 5));
    json_object_set_new(o, "status_name",
                        json_string(ev_status_name(db_col_text(st, 5))));
    json_object_set_new(o, "cancel_reason", ev_text_json(st, 6));
    json_object_set_new(o, "note", ev_text_json(st, 7));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 8)));
    json_object_set_new(o, "unit_name", ev_text_json(st, 9));
    json_object_set_new(o, "created_at", ev_text_json(st, 11));
    json_object_set_new(o, "updated_at", ev_text_json(st, 12));
    json_object_set_new(o, "n_items", json_integer(db_col_int64(st, 13)));
    json_object_set_new(o, "n_attendees", json_integer(db_col_int64(st, 14)));
    json_object_set_new(o, "n_attended", json_integer(db_col_int64(st, 15)));
    json_object_set_new(o, "n_deals", json_integer(db_col_int64(st, 16)));
    json_object_set_new(o, "deal_amount", json_integer(db_col_int64(st, 17)));
    json_object_set_new(o, "contract_amount",
                        json_integer(db_col_int64(st, 18)));
    return o;
}

static int ev_load(Db *db, int64_t id, json_t **out, char *path, size_t cap,
                   Err *e)
{
    json_t *o = NULL, *arr;
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, EV_SELECT "WHERE x.id = $1", "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        o = ev_row_json(st);
        if (path) {
            snprintf(path, cap, "%s", db_col_text(st, 10));
        }
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "对接会不存在");
    }
    db_finalize(st);
    st = NULL;
    if (rc == 0) {
        arr = json_array();
        json_object_set_new(o, "items", arr);
        rc = db_prepare_v(db, &st, e,
                          "SELECT i.id, i.kind, i.title, i.org_name FROM "
                          "market_event_items x JOIN market_items i ON i.id "
                          "= x.item_id WHERE x.event_id = $1 ORDER BY x.pos",
                          "i", id);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            json_array_append_new(
                arr, json_pack(
                         "{sIsososo}", "id", (json_int_t)db_col_int64(st, 0),
                         "kind", ev_text_json(st, 1), "title",
                         ev_text_json(st, 2), "org_name", ev_text_json(st, 3)));
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        st = NULL;
    }
    if (rc == 0) {
        arr = json_array();
        json_object_set_new(o, "attendees", arr);
        rc = db_prepare_v(db, &st, e,
                          "SELECT kind, name, ent_id, attended FROM "
                          "market_event_attendees WHERE event_id = $1 ORDER "
                          "BY pos",
                          "i", id);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            json_array_append_new(
                arr,
                json_pack("{sosssososb}", "kind", ev_text_json(st, 0),
                          "kind_name", ev_att_kind_name(db_col_text(st, 0)),
                          "name", ev_text_json(st, 1), "ent_id",
                          db_col_is_null(st, 2)
                              ? json_null()
                              : json_integer(db_col_int64(st, 2)),
                          "attended", (int)db_col_int64(st, 3)));
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        st = NULL;
    }
    if (rc == 0) {
        arr = json_array();
        json_object_set_new(o, "deals", arr);
        rc = db_prepare_v(db, &st, e,
                          "SELECT d.contract_id, c.reg_no, d.title, "
                          "d.parties, d.amount, d.item_id FROM "
                          "market_event_deals d LEFT JOIN contracts c ON "
                          "c.id = d.contract_id WHERE d.event_id = $1 ORDER "
                          "BY d.pos",
                          "i", id);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            json_array_append_new(
                arr,
                json_pack(
                    "{sssssososososIso}", "kind",
                    ev_deal_kinds[db_col_is_null(st, 0) ? 1 : 0].code,
                    "kind_name",
                    ev_deal_kinds[db_col_is_null(st, 0) ? 1 : 0].name,
                    "contract_id",
                    db_col_is_null(st, 0) ? json_null()
                                          : json_integer(db_col_int64(st, 0)),
                    "reg_no", ev_text_json(st, 1), "title", ev_text_json(st, 2),
                    "parties", ev_text_json(st, 3), "amount",
                    (json_int_t)db_col_int64(st, 4), "item_id",
                    db_col_is_null(st, 5) ? json_null()
                                          : json_integer(db_col_int64(st, 5))));
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int event_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    char path[ACTOR_PATH_MAX];
    int rc;

    rc = ev_load(db, id, out, path, sizeof path, e);
    if (rc == 0 && !actor_sees_path(a, path)) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "对接会不存在");
    }
    return rc;
}

typedef struct EvWhere {
    char path[ACTOR_PATH_MAX + 2];
    char like[512];
} EvWhere;

static int ev_where(Sqlq *q, const Actor *a, const EventFilter *f, EvWhere *w,
                    Err *e)
{
    Date d;
    int rc = 0;

    snprintf(w->path, sizeof w->path, "%s%%", a->unit_path);
    sqlq_addf(q, " WHERE o.path LIKE $%d", sqlq_text(q, w->path));
    if (f->status && *f->status) {
        if (ev_status_find(f->status, 0) < 0) {
            return labels_refuse(e, "status", "状态", ev_status_table(0), NULL);
        }
        sqlq_addf(q, " AND x.status = $%d", sqlq_text(q, f->status));
    }
    if (f->from && *f->from) {
        rc = date_parse(f->from, &d, "from", e);
        if (rc) {
            return rc;
        }
        sqlq_addf(q, " AND x.held_on >= $%d", sqlq_text(q, f->from));
    }
    if (f->to && *f->to) {
        rc = date_parse(f->to, &d, "to", e);
        if (rc) {
            return rc;
        }
        sqlq_addf(q, " AND x.held_on <= $%d", sqlq_text(q, f->to));
    }
    if (f->q && *f->q) {
        size_t i, j = 0;
        int n;
        if (strlen(f->q) > 200) {
            return err_set(e, ERR_INVALID, "q", "搜索词过长");
        }
        w->like[j++] = '%';
        for (i = 0; f->q[i] && j + 3 < sizeof w->like; i++) {
            if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\') {
                w->like[j++] = '\\';
            }
            w->like[j++] = f->q[i];
        }
        w->like[j++] = '%';
        w->like[j] = '\0';
        n = sqlq_text(q, w->like);
        sqlq_addf(q,
                  " AND (x.title LIKE $%d ESCAPE '\\' OR x.organiser LIKE $%d "
                  "ESCAPE '\\' OR x.place LIKE $%d ESCAPE '\\')",
                  n, n, n);
    }
    return 0;
}

int event_list(Db *db, const Actor *a, const EventFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e)
{
    EvWhere w = {0};
    Sqlq count, rows;
    int rc;

    *items = NULL;
    *total = 0;
    sqlq_init(&count, "SELECT COUNT(*) FROM market_events x JOIN org_units o "
                      "ON o.id = x.unit_id");
    sqlq_init(&rows, EV_SELECT);
    rc = ev_where(&count, a, f, &w, e);
    if (rc == 0) {
        rc = ev_where(&rows, a, f, &w, e);
    }
    if (rc) {
        sqlq_release(&count);
        sqlq_release(&rows);
        return rc;
    }
    sqlq_addf(&rows, " ORDER BY x.held_on DESC, x.id DESC LIMIT $%d OFFSET $%d",
              sqlq_int(&rows, limit), sqlq_int(&rows, offset));
    return mk_list_page(db, &count, &rows, ev_row_json, items, total, e);
}

const char *const event_export_titles[EVENT_EXPORT_COLS] = {
    "对接会名称",
    "举办日期",
    "地点",
    "主办单位",
    "状态",
    "所属单位",
    "展示项目数",
    "参会单位数",
    "到会单位数",
    "成交项数",
    "成交金额（万元）",
    "其中已登记技术合同（万元）"};

int event_export(Db *db, const Actor *a, const EventFilter *f, EventRowFn fn,
                 void *ud, Err *e)
{
    DbStmt *st = NULL;
    EvWhere w = {0};
    Sqlq q;
    int rc;

    sqlq_init(&q, EV_SELECT);
    rc = ev_where(&q, a, f, &w, e);
    sqlq_addf(&q, " ORDER BY x.held_on DESC, x.id DESC LIMIT $%d",
              sqlq_int(&q, EVENT_EXPORT_MAX));
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        char nums[4][24];
        const char *cells[EVENT_EXPORT_COLS];
        Buf w1, w2;
        int k;
        buf_init(&w1, 32);
        buf_init(&w2, 32);
        for (k = 0; k < 4; k++) {
            snprintf(nums[k], sizeof nums[k], "%lld",
                     (long long)db_col_int64(st, 13 + k));
        }
        money_format_wan(db_col_int64(st, 17), &w1);
        money_format_wan(db_col_int64(st, 18), &w2);
        cells[0] = db_col_text(st, 1);
        cells[1] = db_col_text(st, 2);
        cells[2] = db_col_text(st, 3);
        cells[3] = db_col_text(st, 4);
        cells[4] = ev_status_name(db_col_text(st, 5));
        cells[5] = db_col_text(st, 9);
        cells[6] = nums[0];
        cells[7] = nums[1];
        cells[8] = nums[2];
        cells[9] = nums[3];
        cells[10] = w1.data;
        cells[11] = w2.data;
        rc = fn(ud, cells, e);
        buf_release(&w1);
        buf_release(&w2);
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}
