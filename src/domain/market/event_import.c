/* event_import.c - import of 成果对接会 records (see event.h). The rows
 * are grouped into events by 对接会名称 + 举办日期 + 所属单位 while the
 * file is read (each row's own checks and lookups reported by row and
 * column); at the end each event without errors goes through
 * event_create_in inside the import's transaction, its refusal mapped back
 * to the row and column that caused it. */
#include "domain/market/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "domain/accounts/audit.h"
#include "domain/io/import.h"

enum {
    EI_TITLE = 0,
    EI_HELD,
    EI_PLACE,
    EI_ORG,
    EI_STATUS,
    EI_UNIT,
    EI_NOTE,
    EI_ITEM,
    EI_ATT,
    EI_ATT_KIND,
    EI_ATT_USCC,
    EI_ATTENDED,
    EI_REG_NO,
    EI_DEAL,
    EI_PARTIES,
    EI_AMOUNT,
    EI_DEAL_ITEM,
    EI_N
};

const char *const event_import_titles[EVENT_IMPORT_COLS] = {
    "对接会名称",
    "举办日期",
    "地点",
    "主办单位",
    "状态",
    "所属单位",
    "备注",
    "展示项目（成果或需求名称）",
    "参会单位",
    "参会单位类型",
    "参会单位统一社会信用代码",
    "是否到会",
    "技术合同登记编号",
    "意向成交项目",
    "成交各方",
    "意向金额（万元）",
    "成交关联项目"};

/* The event fields given on rows (besides the key): column -> body key. */
static const struct {
    int col;
    const char *key;
} ei_event_fields[] = {{EI_PLACE, "place"},
                       {EI_ORG, "organiser"},
                       {EI_STATUS, "status"},
                       {EI_NOTE, "note"}};
#define EI_EVENT_FIELDS (sizeof ei_event_fields / sizeof ei_event_fields[0])

typedef struct EiEvent {
    json_t *body;                             /* event_create's body */
    json_t *items;                            /* borrowed from body */
    json_t *atts;                             /* borrowed from body */
    json_t *deals;                            /* borrowed from body */
    json_t *item_ids;                         /* title -> item id */
    json_t *item_rows, *att_rows, *deal_rows; /* source rows */
    json_t *deal_items; /* per deal: the related item's title or null */
    long row0;
    long field_row[EI_EVENT_FIELDS];
    int bad;
} EiEvent;

typedef struct EiImp {
    Db *db;
    const Actor *a;
    long header_row;
    int map[IMPORT_FILE_ROW_CELLS];
    int64_t rows, errors_total;
    json_t *errors;
    json_t *index; /* event key -> index in ev */
    EiEvent *ev;
    size_t n_ev, cap_ev;
    int fatal;
    Err fatal_err;
} EiImp;

/* Record an error of row/col (ev: the event it spoils, or NULL). */
static void ei_error(EiImp *m, EiEvent *ev, long row, int col,
                     const char *field, const char *msg)
{
    if (ev) {
        ev->bad = 1;
    }
    m->errors_total++;
    if (json_array_size(m->errors) < EVENT_IMPORT_ERRORS_KEPT) {
        json_array_append_new(
            m->errors, json_pack("{sIssssss}", "row", (json_int_t)row, "column",
                                 col >= 0 ? event_import_titles[col] : "",
                                 "field", field ? field : "", "message", msg));
    }
}

/* The one id the query (one text parameter) finds: 0 none, -1 several. */
static int ei_one_id(Db *db, const char *sql, const char *arg, int64_t *id,
                     Err *e)
{
    DbStmt *st = NULL;
    int n = 0, rc;

    *id = 0;
    rc = db_prepare_v(db, &st, e, sql, "t", arg);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *id = n++ ? -1 : db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* The event of row's key, created on its first row. NULL when the row is
 * refused (reported). */
static EiEvent *ei_event(EiImp *m, long row, const char *const *v, Err *e,
                         int *rc)
{
    char key[2048], msg[512];
    json_t *at;
    EiEvent *ev;
    Date d;
    Err de;

    *rc = 0;
    if (!v[EI_TITLE]) {
        ei_error(m, NULL, row, EI_TITLE, "title", "请填写对接会名称");
        return NULL;
    }
    if (!v[EI_HELD]) {
        ei_error(m, NULL, row, EI_HELD, "held_on", "请填写举办日期");
        return NULL;
    }
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", v[EI_TITLE], v[EI_HELD],
             v[EI_UNIT] ? v[EI_UNIT] : "");
    at = json_object_get(m->index, key);
    if (at) {
        return &m->ev[json_integer_value(at)];
    }
    if (m->n_ev == m->cap_ev) {
        m->cap_ev = m->cap_ev ? 2 * m->cap_ev : 16;
        m->ev = xrealloc(m->ev, m->cap_ev * sizeof *m->ev);
    }
    ev = &m->ev[m->n_ev];
    memset(ev, 0, sizeof *ev);
    json_object_set_new(m->index, key, json_integer((json_int_t)m->n_ev));
    m->n_ev++;
    ev->row0 = row;
    ev->items = json_array();
    ev->atts = json_array();
    ev->deals = json_array();
    ev->body = json_pack("{sssOsOsO}", "title", v[EI_TITLE], "items", ev->items,
                         "attendees", ev->atts, "deals", ev->deals);
    json_decref(ev->items);
    json_decref(ev->atts);
    json_decref(ev->deals);
    ev->item_ids = json_object();
    ev->item_rows = json_array();
    ev->att_rows = json_array();
    ev->deal_rows = json_array();
    ev->deal_items = json_array();
    err_clear(&de);
    if (date_parse(v[EI_HELD], &d, "held_on", &de) != 0) {
        ei_error(m, ev, row, EI_HELD, "held_on", de.msg);
    } else {
        char iso[DATE_ISO_SIZE];
        date_format_iso(d, iso);
        json_object_set_new(ev->body, "held_on", json_string(iso));
    }
    if (v[EI_UNIT]) {
        int64_t unit = 0;
        *rc = ei_one_id(m->db,
                        "SELECT id FROM org_units WHERE name = $1 AND "
                        "retired_at IS NULL ORDER BY id LIMIT 2",
                        v[EI_UNIT], &unit, e);
        if (*rc) {
            return NULL;
        }
        if (unit > 0) {
            json_object_set_new(ev->body, "unit_id",
                                json_integer((json_int_t)unit));
        } else {
            snprintf(msg, sizeof msg,
                     unit ? "有多个名为“%s”的单位" : "没有名为“%s”的单位",
                     v[EI_UNIT]);
            ei_error(m, ev, row, EI_UNIT, "unit_id", msg);
        }
    }
    return ev;
}

/* The event fields of the row: the first value given, later rows the
 * same. */
static void ei_event_fields_of(EiImp *m, EiEvent *ev, long row,
                               const char *const *v)
{
    char msg[256];
    size_t k;

    for (k = 0; k < EI_EVENT_FIELDS; k++) {
        const char *s = v[ei_event_fields[k].col];
        const char *had;
        if (!s) {
            continue;
        }
        had = json_string_value(
            json_object_get(ev->body, ei_event_fields[k].key));
        if (!had) {
            json_object_set_new(ev->body, ei_event_fields[k].key,
                                json_string(s));
            ev->field_row[k] = row;
        } else if (strcmp(had, s) != 0) {
            snprintf(msg, sizeof msg, "与同一对接会第 %ld 行填写的“%s”不一致",
                     ev->field_row[k], had);
            ei_error(m, ev, row, ei_event_fields[k].col, ei_event_fields[k].key,
                     msg);
        }
    }
}

static int ei_item(EiImp *m, EiEvent *ev, long row, const char *title, Err *e)
{
    char msg[512];
    int64_t id = 0;
    size_t i;
    int rc;

    rc = ei_one_id(m->db,
                   "SELECT id FROM market_items WHERE kind IN "
                   "('achievement', 'demand') AND retired_at IS NULL AND "
                   "title = $1 ORDER BY id LIMIT 2",
                   title, &id, e);
    if (rc) {
        return rc;
    }
    if (id <= 0) {
        snprintf(msg, sizeof msg,
                 id ? "成果库、需求库中有多项名为“%s”的条目"
                    : "成果库、需求库中没有名为“%s”的条目",
                 title);
        ei_error(m, ev, row, EI_ITEM, "items", msg);
        return 0;
    }
    for (i = 0; i < json_array_size(ev->items); i++) {
        if (json_integer_value(json_array_get(ev->items, i)) == id) {
            snprintf(msg, sizeof msg, "与同一对接会第 %lld 行的展示项目重复",
                     (long long)json_integer_value(
                         json_array_get(ev->item_rows, i)));
            ei_error(m, ev, row, EI_ITEM, "items", msg);
            return 0;
        }
    }
    if (json_array_size(ev->items) >= EVENT_ITEMS_MAX) {
        snprintf(msg, sizeof msg, "一场对接会的展示项目最多 %d 项",
                 EVENT_ITEMS_MAX);
        ei_error(m, ev, row, EI_ITEM, "items", msg);
        return 0;
    }
    json_array_append_new(ev->items, json_integer((json_int_t)id));
    json_array_append_new(ev->item_rows, json_integer(row));
    json_object_set_new(ev->item_ids, title, json_integer((json_int_t)id));
    return 0;
}

/* 是/否 (and their usual spellings): 1, 0; -1 otherwise. */
static int ei_yes_no(const char *s)
{
    static const char *const yes[] = {"是", "到会", "Y", "y", "1", "√", "true"};
    static const char *const no[] = {"否", "未到会", "N",    "n",
                                     "0",  "×",      "false"};
    size_t i;

    if (!s) {
        return 0;
    }
    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(s, yes[i]) == 0) {
            return 1;
        }
    }
    for (i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (strcmp(s, no[i]) == 0) {
            return 0;
        }
    }
    return -1;
}

static int ei_attendee(EiImp *m, EiEvent *ev, long row, const char *const *v,
                       Err *e)
{
    const char *kind = v[EI_ATT_KIND], *name = v[EI_ATT];
    char code[USCC_LEN + 1], msg[512];
    int64_t ent = 0;
    int attended = ei_yes_no(v[EI_ATTENDED]), rc = 0;
    size_t i;
    json_t *o;
    Err ue;

    if (kind && !event_attendee_kind(kind)) {
        ei_error(m, ev, row, EI_ATT_KIND, "kind", "参会单位类型应为企业或机构");
        return 0;
    }
    if (attended < 0) {
        ei_error(m, ev, row, EI_ATTENDED, "attended", "是否到会应填写是或否");
        return 0;
    }
    if (v[EI_ATT_USCC]) {
        err_clear(&ue);
        if (uscc_normalize(v[EI_ATT_USCC], code, &ue) != 0) {
            ei_error(m, ev, row, EI_ATT_USCC, "ent_id", ue.msg);
            return 0;
        }
        rc = ei_one_id(m->db,
                       "SELECT id FROM enterprises WHERE uscc = $1 AND "
                       "retired_at IS NULL",
                       code, &ent, e);
        if (rc == 0 && ent <= 0) {
            snprintf(msg, sizeof msg, "企业库中没有统一社会信用代码为%s的企业",
                     code);
            ei_error(m, ev, row, EI_ATT_USCC, "ent_id", msg);
            return 0;
        }
    } else if (!kind || strcmp(event_attendee_kind(kind), "enterprise") == 0) {
        /* by name: the one enterprise of that name, when in scope */
        char *path = NULL;
        rc = ei_one_id(m->db,
                       "SELECT id FROM enterprises WHERE name = $1 AND "
                       "retired_at IS NULL ORDER BY id LIMIT 2",
                       name, &ent, e);
        if (rc == 0 && ent > 0) {
            rc = db_query_text(m->db, &path, e,
                               "SELECT o.path FROM enterprises x JOIN "
                               "org_units o ON o.id = x.unit_id WHERE x.id "
                               "= $1",
                               "i", ent);
            ent = rc == 0 && path && actor_sees_path(m->a, path) ? ent : 0;
        }
        free(path);
        ent = ent > 0 ? ent : 0;
    }
    if (rc) {
        return rc;
    }
    for (i = 0; i < json_array_size(ev->atts); i++) {
        const json_t *t = json_array_get(ev->atts, i);
        const char *tn = json_string_value(json_object_get(t, "name"));
        if ((ent && json_integer_value(json_object_get(t, "ent_id")) == ent) ||
            (name && tn && strcmp(tn, name) == 0)) {
            snprintf(
                msg, sizeof msg, "与同一对接会第 %lld 行的参会单位重复",
                (long long)json_integer_value(json_array_get(ev->att_rows, i)));
            ei_error(m, ev, row, name ? EI_ATT : EI_ATT_USCC, "attendees", msg);
            return 0;
        }
    }
    if (json_array_size(ev->atts) >= EVENT_ATTENDEES_MAX) {
        snprintf(msg, sizeof msg, "一场对接会的参会单位最多 %d 个",
                 EVENT_ATTENDEES_MAX);
        ei_error(m, ev, row, EI_ATT, "attendees", msg);
        return 0;
    }
    o = json_pack("{sssb}", "kind",
                  kind  ? kind
                  : ent ? "enterprise"
                        : "institution",
                  "attended", attended);
    if (name) {
        json_object_set_new(o, "name", json_string(name));
    }
    if (ent) {
        json_object_set_new(o, "ent_id", json_integer((json_int_t)ent));
    }
    json_array_append_new(ev->atts, o);
    json_array_append_new(ev->att_rows, json_integer(row));
    return 0;
}

static int ei_deal(EiImp *m, EiEvent *ev, long row, const char *const *v,
                   Err *e)
{
    char msg[512];
    int64_t id = 0, amount = 0;
    size_t i;
    json_t *o;
    int rc;
    Err me;

    if (json_array_size(ev->deals) >= EVENT_DEALS_MAX) {
        snprintf(msg, sizeof msg, "一场对接会的成交最多 %d 项",
                 EVENT_DEALS_MAX);
        ei_error(m, ev, row, v[EI_REG_NO] ? EI_REG_NO : EI_DEAL, "deals", msg);
        return 0;
    }
    if (v[EI_REG_NO]) {
        rc = ei_one_id(m->db, "SELECT id FROM contracts WHERE reg_no = $1",
                       v[EI_REG_NO], &id, e);
        if (rc) {
            return rc;
        }
        if (id <= 0) {
            snprintf(msg, sizeof msg, "没有登记编号为“%s”的技术合同",
                     v[EI_REG_NO]);
            ei_error(m, ev, row, EI_REG_NO, "contract_id", msg);
            return 0;
        }
        for (i = 0; i < json_array_size(ev->deals); i++) {
            if (json_integer_value(json_object_get(json_array_get(ev->deals, i),
                                                   "contract_id")) == id) {
                snprintf(msg, sizeof msg,
                         "与同一对接会第 %lld 行是同一份技术合同",
                         (long long)json_integer_value(
                             json_array_get(ev->deal_rows, i)));
                ei_error(m, ev, row, EI_REG_NO, "contract_id", msg);
                return 0;
            }
        }
        o = json_pack("{sI}", "contract_id", (json_int_t)id);
    } else {
        if (!v[EI_DEAL]) {
            ei_error(m, ev, row, EI_DEAL, "title",
                     "请填写意向成交项目（或技术合同登记编号）");
            return 0;
        }
        if (!v[EI_AMOUNT]) {
            ei_error(m, ev, row, EI_AMOUNT, "amount_wan",
                     "请填写意向金额（万元）");
            return 0;
        }
        err_clear(&me);
        if (strchr(v[EI_AMOUNT], '-') || strstr(v[EI_AMOUNT], "－")) {
            ei_error(m, ev, row, EI_AMOUNT, "amount_wan", "意向金额不能为负数");
            return 0;
        }
        if (money_parse_wan(v[EI_AMOUNT], &amount, 0, "amount_wan", &me)) {
            ei_error(m, ev, row, EI_AMOUNT, "amount_wan", me.msg);
            return 0;
        }
        o = json_pack("{ssss}", "title", v[EI_DEAL], "amount_wan",
                      v[EI_AMOUNT]);
        if (v[EI_PARTIES]) {
            json_object_set_new(o, "parties", json_string(v[EI_PARTIES]));
        }
    }
    json_array_append_new(ev->deals, o);
    json_array_append_new(ev->deal_rows, json_integer(row));
    json_array_append_new(ev->deal_items, v[EI_DEAL_ITEM]
                                              ? json_string(v[EI_DEAL_ITEM])
                                              : json_null());
    return 0;
}

static int ei_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    EiImp *m = ud;
    const char *v[EI_N] = {NULL};
    EiEvent *ev;
    int rc = 0;

    if (m->fatal) {
        return 0;
    }
    if (!m->header_row) {
        static const int need[] = {EI_TITLE, EI_HELD};
        int found;
        rc = import_header_find(row, cells, n, event_import_titles, EI_N, need,
                                2, "成果对接会", m->map, &found, e);
        if (rc == 0 && found) {
            m->header_row = row;
        }
        return rc;
    }
    if (import_row_cells(cells, n, m->map, v)) {
        return 0;
    }
    if (++m->rows > EVENT_IMPORT_ROWS_MAX) {
        return err_set(e, ERR_TOOBIG, "file", "一次最多导入 %d 行，请分批导入",
                       EVENT_IMPORT_ROWS_MAX);
    }
    ev = ei_event(m, row, v, &m->fatal_err, &rc);
    if (rc == 0 && ev) {
        ei_event_fields_of(m, ev, row, v);
        if (v[EI_ITEM]) {
            rc = ei_item(m, ev, row, v[EI_ITEM], &m->fatal_err);
        }
    }
    if (rc == 0 && ev && (v[EI_ATT] || v[EI_ATT_USCC])) {
        rc = ei_attendee(m, ev, row, v, &m->fatal_err);
    } else if (rc == 0 && ev && (v[EI_ATT_KIND] || v[EI_ATTENDED])) {
        ei_error(m, ev, row, EI_ATT, "attendees", "请填写参会单位");
    }
    if (rc == 0 && ev &&
        (v[EI_REG_NO] || v[EI_DEAL] || v[EI_AMOUNT] || v[EI_PARTIES] ||
         v[EI_DEAL_ITEM])) {
        rc = ei_deal(m, ev, row, v, &m->fatal_err);
    }
    if (rc) {
        m->fatal = 1;
    }
    return 0;
}

/* The row and column of event_create's error field. */
static void ei_locate(const EiEvent *ev, const char *field, long *row, int *col)
{
    static const struct {
        const char *f;
        int col;
    } top[] = {{"title", EI_TITLE},   {"held_on", EI_HELD},
               {"place", EI_PLACE},   {"organiser", EI_ORG},
               {"status", EI_STATUS}, {"note", EI_NOTE},
               {"unit_id", EI_UNIT}},
      sub[] = {{"kind", EI_ATT_KIND},      {"ent_id", EI_ATT},
               {"name", EI_ATT},           {"attended", EI_ATTENDED},
               {"contract_id", EI_REG_NO}, {"item_id", EI_DEAL_ITEM},
               {"title", EI_DEAL},         {"parties", EI_PARTIES},
               {"amount_wan", EI_AMOUNT}};
    const json_t *rows = NULL;
    const char *dot;
    size_t i, k = 0;

    *row = ev->row0;
    *col = -1;
    field = field ? field : "";
    if (strncmp(field, "items[", 6) == 0) {
        rows = ev->item_rows;
        *col = EI_ITEM;
    } else if (strncmp(field, "attendees[", 10) == 0) {
        rows = ev->att_rows;
        *col = EI_ATT;
    } else if (strncmp(field, "deals[", 6) == 0) {
        rows = ev->deal_rows;
        *col = EI_DEAL;
    }
    if (rows) {
        k = strtoul(strchr(field, '[') + 1, NULL, 10);
        if (k >= 1 && k <= json_array_size(rows)) {
            *row = (long)json_integer_value(json_array_get(rows, k - 1));
        }
        dot = strchr(field, '.');
        for (i = 0; dot && i < sizeof sub / sizeof sub[0]; i++) {
            if (strcmp(dot + 1, sub[i].f) == 0) {
                *col = sub[i].col;
            }
        }
        return;
    }
    for (i = 0; i < sizeof top / sizeof top[0]; i++) {
        if (strcmp(field, top[i].f) == 0) {
            *col = top[i].col;
        }
    }
    for (i = 0; i < EI_EVENT_FIELDS; i++) {
        if (*col == ei_event_fields[i].col && ev->field_row[i]) {
            *row = ev->field_row[i];
        }
    }
}

/* Check (and write, inside the import's transaction) event ev. */
static int ei_finish_event(EiImp *m, EiEvent *ev, Err *e)
{
    char msg[600];
    const char *title = json_string_value(json_object_get(ev->body, "title"));
    const char *held = json_string_value(json_object_get(ev->body, "held_on"));
    int64_t unit = json_integer_value(json_object_get(ev->body, "unit_id"));
    int64_t id = 0, old = 0;
    size_t i;
    int rc;
    Err ce;

    /* the deals' related items: among this event's */
    for (i = 0; i < json_array_size(ev->deal_items); i++) {
        const char *t = json_string_value(json_array_get(ev->deal_items, i));
        json_t *item = t ? json_object_get(ev->item_ids, t) : NULL;
        if (t && !item) {
            snprintf(msg, sizeof msg, "“%s”不在本对接会的展示项目中", t);
            ei_error(m, ev,
                     (long)json_integer_value(json_array_get(ev->deal_rows, i)),
                     EI_DEAL_ITEM, "item_id", msg);
        } else if (item) {
            json_object_set(json_array_get(ev->deals, i), "item_id", item);
        }
    }
    if (ev->bad) {
        return 0;
    }
    /* the same event already registered in the unit */
    rc = db_query_int64(m->db, &old, e,
                        "SELECT COALESCE(MIN(id), 0) FROM market_events "
                        "WHERE title = $1 AND held_on = $2 AND unit_id = $3 "
                        "AND status <> 'cancelled'",
                        "tti", title, held, unit ? unit : m->a->unit_id);
    if (rc) {
        return rc;
    }
    if (old) {
        snprintf(msg, sizeof msg,
                 "已有同名、同日期的对接会（编号 %lld），未重复导入",
                 (long long)old);
        ei_error(m, ev, ev->row0, EI_TITLE, "title", msg);
        return 0;
    }
    err_clear(&ce);
    rc = event_create_in(m->db, m->a, ev->body, 1, &id, &ce);
    if (rc == ERR_INVALID || rc == ERR_TOOBIG) {
        const char *text = ce.msg;
        const char *colon = strstr(text, "：");
        long row;
        int col;
        ei_locate(ev, ce.field, &row, &col);
        if (strchr(ce.field, '[') && colon) {
            text = colon + strlen("：");
        }
        ei_error(m, ev, row, col, ce.field, text);
        return 0;
    }
    if (rc) {
        *e = ce;
    }
    return rc;
}

static void ei_free(EiImp *m)
{
    size_t i;

    for (i = 0; i < m->n_ev; i++) {
        EiEvent *ev = &m->ev[i];
        json_decref(ev->body);
        json_decref(ev->item_ids);
        json_decref(ev->item_rows);
        json_decref(ev->att_rows);
        json_decref(ev->deal_rows);
        json_decref(ev->deal_items);
    }
    free(m->ev);
    json_decref(m->index);
    json_decref(m->errors);
}

int event_import_file(Db *db, const Actor *a, const char *path, int apply,
                      int valid_only, json_t **report, Err *e)
{
    int64_t valid = 0, invalid = 0;
    json_t *after = NULL;
    EiImp m;
    size_t i;
    int rc, write;

    *report = NULL;
    memset(&m, 0, sizeof m);
    m.db = db;
    m.a = a;
    m.errors = json_array();
    m.index = json_object();
    rc = db_begin(db, e);
    if (rc) {
        ei_free(&m);
        return rc;
    }
    rc = import_file_rows(path, 0, NULL, 0, ei_row, &m, e);
    if (rc == 0 && !m.header_row) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头（应包含“对接会名称”“举办日期”列）");
    }
    if (rc == 0 && m.fatal) {
        *e = m.fatal_err;
        rc = m.fatal_err.code ? m.fatal_err.code : ERR_DB;
    }
    for (i = 0; rc == 0 && i < m.n_ev; i++) {
        rc = ei_finish_event(&m, &m.ev[i], e);
        valid += !m.ev[i].bad;
        invalid += m.ev[i].bad;
    }
    if (rc) {
        db_rollback(db);
        ei_free(&m);
        return rc;
    }
    write = apply && (valid_only || m.errors_total == 0) && valid > 0;
    *report = json_pack(
        "{s{sIsIsIsIsI}sOsIsIsb}", "summary", "rows", (json_int_t)m.rows,
        "events", (json_int_t)m.n_ev, "valid", (json_int_t)valid, "invalid",
        (json_int_t)invalid, "inserted", (json_int_t)(write ? valid : 0),
        "errors", m.errors, "errors_total", (json_int_t)m.errors_total,
        "header_row", (json_int_t)m.header_row, "applied", write);
    if (!write) {
        db_rollback(db);
        if (apply && !valid_only && m.errors_total) {
            rc = err_set(e, ERR_INVALID, "file",
                         "有 %lld 处错误，未导入任何对接会；请修改后重新导入，"
                         "或选择只导入有效的对接会",
                         (long long)m.errors_total);
            json_decref(*report);
            *report = NULL;
        }
        ei_free(&m);
        return rc;
    }
    after = json_pack("{sIsIsI}", "rows", (json_int_t)m.rows, "events",
                      (json_int_t)m.n_ev, "inserted", (json_int_t)valid);
    rc = audit_record(db, a, "market_event.import", "market_event", 0, NULL,
                      NULL, after, e);
    json_decref(after);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*report);
        *report = NULL;
    }
    ei_free(&m);
    return rc;
}

int event_import_template_csv(Buf *out, Err *e)
{
    int c;

    buf_append_str(out, "\xEF\xBB\xBF");
    for (c = 0; c < EI_N; c++) {
        if (c) {
            buf_append_char(out, ',');
        }
        buf_append_csv_field(out, event_import_titles[c],
                             strlen(event_import_titles[c]));
    }
    buf_append_str(out, "\r\n");
    return out->err ? err_set(e, ERR_TOOBIG, NULL, "模板过大") : 0;
}
