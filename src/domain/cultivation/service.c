/* service.c - the 包联 service log and the asks (see service.h). */
#include "domain/cultivation/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/accounts/org.h"
#include "domain/cultivation/pipe_rows.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *code, *name;
} service_kinds[] = {
    {"visit", "走访"},    {"meeting", "座谈"},      {"call", "电话"},
    {"training", "培训"}, {"briefing", "政策宣讲"}, {"other", "其他"},
};

/* An ask's statuses: the list filter accepts these codes, every listed
 * ask is named from here (status_name) and GET /reference/labels serves
 * the same table (ask_statuses). */
static const struct {
    const char *code, *name;
} service_ask_statuses[] = {
    {"open", "办理中"},
    {"closed", "已办结"},
    {"voided", "已作废"},
};

const char *service_ask_status_name(const char *status)
{
    for (size_t i = 0; status && i < N_OF(service_ask_statuses); i++) {
        if (strcmp(service_ask_statuses[i].code, status) == 0) {
            return service_ask_statuses[i].name;
        }
    }
    return NULL;
}

json_t *service_ask_statuses_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(service_ask_statuses); i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", service_ask_statuses[i].code,
                           "label", service_ask_statuses[i].name));
    }
    return arr;
}

const char *service_kind_name(const char *kind)
{
    for (size_t i = 0; kind && i < N_OF(service_kinds); i++) {
        if (strcmp(service_kinds[i].code, kind) == 0) {
            return service_kinds[i].name;
        }
    }
    return NULL;
}

json_t *service_kinds_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(service_kinds); i++) {
        json_array_append_new(arr, json_pack("{ssss}", "value",
                                             service_kinds[i].code, "label",
                                             service_kinds[i].name));
    }
    return arr;
}

static const char *service_user_name(const Actor *a)
{
    return a->display_name[0] ? a->display_name : a->username;
}

static int service_text(const char *s, int required, size_t max,
                        const char *field, const char *what, Err *e)
{
    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", what) : 0;
    }
    if (utf8_count_chars(s, strlen(s)) > max) {
        return err_set(e, ERR_INVALID, field, "%s不能超过 %zu 个字", what, max);
    }
    return 0;
}

static int service_date(const char *s, const char *field,
                        char out[DATE_ISO_SIZE], Err *e)
{
    Date d;
    int rc = date_parse(s, &d, field, e);

    if (rc == 0) {
        date_format_iso(d, out);
    }
    return rc;
}

/* Path and 包联人员 of enterprise id when it lies in a's scope (and is
 * not retired); ERR_INVALID naming field otherwise. */
static int service_ent(Db *db, const Actor *a, int64_t id, const char *field,
                       char path[ACTOR_PATH_MAX], int64_t *liaison, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT o.path, e.liaison_user_id, e.retired_at "
                          "FROM enterprises e JOIN org_units o ON o.id = "
                          "e.unit_id WHERE e.id = $1",
                          "i", id);

    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW && actor_sees_path(a, db_col_text(st, 0)) &&
            db_col_is_null(st, 2)) {
            snprintf(path, ACTOR_PATH_MAX, "%s", db_col_text(st, 0));
            if (liaison) {
                *liaison = db_col_int64(st, 1);
            }
            rc = 0;
        } else if (rc == DB_ROW || rc == DB_DONE) {
            rc = err_set(e, ERR_INVALID, field, "企业 %lld 不存在",
                         (long long)id);
        }
    }
    db_finalize(st);
    return rc;
}

static int service_user_ok(Db *db, int64_t id, const char *field, Err *e)
{
    int64_t n = 0;
    int rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM users WHERE id = $1 AND "
                            "disabled = 0",
                            "i", id);

    if (rc == 0 && n == 0) {
        rc = err_set(e, ERR_INVALID, field, "用户 %lld 不存在或已停用",
                     (long long)id);
    }
    return rc;
}

/* Validate one ask (field prefix: "asks[i]." or ""). */
static int service_ask_check(Db *db, const Actor *a, const ServiceAskInput *in,
                             const char *prefix, char path[ACTOR_PATH_MAX],
                             int64_t *handler, char due[DATE_ISO_SIZE], Err *e)
{
    char field[ERR_FIELD_MAX];
    int64_t liaison = 0;
    int rc;

    snprintf(field, sizeof field, "%senterprise_id", prefix);
    rc = service_ent(db, a, in->enterprise_id, field, path, &liaison, e);
    if (rc == 0) {
        snprintf(field, sizeof field, "%scontent", prefix);
        rc = service_text(in->content, 1, SERVICE_TEXT_MAX, field, "诉求内容",
                          e);
    }
    if (rc == 0 && in->due_on && *in->due_on) {
        snprintf(field, sizeof field, "%sdue_on", prefix);
        rc = service_date(in->due_on, field, due, e);
    } else if (rc == 0) {
        date_format_iso(date_add_days(date_today(), 30), due);
    }
    if (rc == 0 && in->handler_user_id) {
        snprintf(field, sizeof field, "%shandler_user_id", prefix);
        rc = service_user_ok(db, in->handler_user_id, field, e);
        *handler = in->handler_user_id;
    } else if (rc == 0) {
        *handler = liaison ? liaison : (a->user_id > 0 ? a->user_id : 0);
    }
    return rc;
}

/* Insert an ask (inside the caller's transaction) with its audit entry. */
static int service_ask_insert(Db *db, const Actor *a, int64_t log_id,
                              const ServiceAskInput *in, const char *path,
                              int64_t handler, const char *due, const char *now,
                              int64_t *id, Err *e)
{
    DbStmt *st = NULL;
    json_t *after = NULL;
    int rc = db_prepare_v(
        db, &st, e,
        "INSERT INTO service_asks (log_id, enterprise_id, content, "
        "handler_user_id, due_on, status, created_by, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7) "
        "RETURNING id",
        "pitptpt", log_id ? &log_id : NULL, in->enterprise_id, in->content,
        handler ? &handler : NULL, due, a->user_id > 0 ? &a->user_id : NULL,
        now);

    *id = 0;
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_DB, NULL, "服务器内部错误");
        }
    }
    db_finalize(st);
    if (rc == 0) {
        after = json_pack("{sIssss}", "enterprise_id",
                          (json_int_t)in->enterprise_id, "content", in->content,
                          "due_on", due);
        if (log_id) {
            json_object_set_new(after, "log_id", json_integer(log_id));
        }
        rc = audit_record(db, a, "service.ask_create", "service_ask", *id, path,
                          NULL, after, e);
    }
    json_decref(after);
    return rc;
}

/* Validate the fields of a log (create and update): kind, date (held,
 * its year y), texts, the counts, the organising unit (*unit, its path
 * upath) and the enterprises. */
static int service_log_check(Db *db, const Actor *a, const ServiceLogInput *in,
                             char held[DATE_ISO_SIZE], int *y, int64_t *unit,
                             char upath[ACTOR_PATH_MAX], Err *e)
{
    Date d;
    int rc;

    *unit = in->unit_id ? in->unit_id : a->unit_id;
    if (!service_kind_name(in->kind)) {
        return err_set(e, ERR_INVALID, "kind",
                       "类型应为 visit（走访）、meeting（座谈）、call（电话）"
                       "、training（培训）、briefing（政策宣讲）或 other");
    }
    if (!in->held_on || !*in->held_on) {
        return err_set(e, ERR_INVALID, "held_on", "请填写日期");
    }
    rc = date_parse(in->held_on, &d, "held_on", e);
    if (rc) {
        return rc;
    }
    date_format_iso(d, held);
    date_to_ymd(d, y, NULL, NULL);
    rc = service_text(in->title, 1, 100, "title", "主题", e);
    if (rc == 0) {
        rc = service_text(in->topics, 0, SERVICE_TEXT_MAX, "topics", "内容", e);
    }
    if (rc == 0) {
        rc = service_text(in->participants, 0, 500, "participants", "参加人员",
                          e);
    }
    if (rc == 0) {
        rc = service_text(in->note, 0, SERVICE_TEXT_MAX, "note", "备注", e);
    }
    if (rc) {
        return rc;
    }
    if (in->n_enterprises > SERVICE_ENTS_MAX) {
        return err_set(e, ERR_INVALID, "enterprise_ids",
                       "一次最多登记 %d 家企业", SERVICE_ENTS_MAX);
    }
    if (in->n_asks > SERVICE_ASKS_MAX) {
        return err_set(e, ERR_INVALID, "asks", "一次最多登记 %d 条诉求",
                       SERVICE_ASKS_MAX);
    }
    if (*unit == 0) {
        return err_set(e, ERR_INVALID, "unit_id", "请选择组织单位");
    }
    rc = org_path(db, *unit, upath, ACTOR_PATH_MAX, NULL, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, upath))) {
        return err_set(e, ERR_INVALID, "unit_id", "单位 %lld 不存在",
                       (long long)*unit);
    }
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < in->n_enterprises; i++) {
        char field[ERR_FIELD_MAX], p[ACTOR_PATH_MAX];
        snprintf(field, sizeof field, "enterprise_ids[%zu]", i);
        rc = service_ent(db, a, in->enterprise_ids[i], field, p, NULL, e);
        for (size_t k = 0; rc == 0 && k < i; k++) {
            if (in->enterprise_ids[k] == in->enterprise_ids[i]) {
                rc = err_set(e, ERR_INVALID, field, "企业 %lld 重复",
                             (long long)in->enterprise_ids[i]);
            }
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* Validate and write a log; own_tx: in a transaction of its own, else in
 * the caller's. */
static int service_log_do(Db *db, const Actor *a, const ServiceLogInput *in,
                          int own_tx, int64_t *id, Err *e)
{
    char held[DATE_ISO_SIZE], now[CLOCK_ISO_LEN], upath[ACTOR_PATH_MAX];
    char(*paths)[ACTOR_PATH_MAX] = NULL;
    char(*dues)[DATE_ISO_SIZE] = NULL;
    int64_t *handlers = NULL;
    int64_t unit = 0;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int y = 0, rc;

    *id = 0;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能登记服务记录");
    }
    rc = service_log_check(db, a, in, held, &y, &unit, upath, e);
    if (rc) {
        return rc;
    }
    if (in->n_asks) {
        paths = xcalloc(in->n_asks, sizeof *paths);
        dues = xcalloc(in->n_asks, sizeof *dues);
        handlers = xcalloc(in->n_asks, sizeof *handlers);
    }
    for (size_t i = 0; i < in->n_asks; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "asks[%zu].", i);
        rc = service_ask_check(db, a, &in->asks[i], prefix, paths[i],
                               &handlers[i], dues[i], e);
        if (rc) {
            goto out;
        }
    }
    clock_now_iso(now, 0);
    rc = own_tx ? db_begin(db, e) : 0;
    if (rc) {
        goto out;
    }
    rc = db_prepare_v(
        db, &st, e,
        "INSERT INTO service_logs (kind, held_on, year, title, topics, "
        "participants, unit_id, note, created_by, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        "ttitttitpt", in->kind, held, (int64_t)y, in->title,
        in->topics && *in->topics ? in->topics : NULL,
        in->participants && *in->participants ? in->participants : NULL, unit,
        in->note && *in->note ? in->note : NULL,
        a->user_id > 0 ? &a->user_id : NULL, now);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_DB, NULL, "服务器内部错误");
        }
    }
    db_finalize(st);
    for (size_t i = 0; rc == 0 && i < in->n_enterprises; i++) {
        rc = db_exec_v(db, e,
                       "INSERT INTO service_log_enterprises (log_id, "
                       "enterprise_id) VALUES ($1, $2)",
                       "ii", *id, in->enterprise_ids[i]);
    }
    for (size_t i = 0; rc == 0 && i < in->n_asks; i++) {
        int64_t ask_id;
        rc = service_ask_insert(db, a, *id, &in->asks[i], paths[i], handlers[i],
                                dues[i], now, &ask_id, e);
    }
    if (rc == 0) {
        json_t *ents = json_array();
        for (size_t i = 0; i < in->n_enterprises; i++) {
            json_array_append_new(ents, json_integer(in->enterprise_ids[i]));
        }
        after = json_pack("{sssssssIso}", "kind", in->kind, "held_on", held,
                          "title", in->title, "unit_id", (json_int_t)unit,
                          "enterprises", ents);
        rc = audit_record(db, a, "service.log_create", "service_log", *id,
                          upath, NULL, after, e);
    }
    if (rc == 0 && own_tx) {
        rc = db_commit(db, e);
    }
    if (rc) {
        if (own_tx) {
            db_rollback(db);
        }
        *id = 0;
    }
out:
    free(paths);
    free(dues);
    free(handlers);
    json_decref(after);
    return rc;
}

int service_log_create(Db *db, const Actor *a, const ServiceLogInput *in,
                       int64_t *id, Err *e)
{
    return service_log_do(db, a, in, 1, id, e);
}

int service_log_create_tx(Db *db, const Actor *a, const ServiceLogInput *in,
                          int64_t *id, Err *e)
{
    return service_log_do(db, a, in, 0, id, e);
}

#define SERVICE_LOG_COLS                                                       \
    "SELECT l.id, l.kind, l.held_on, l.year, l.title, l.topics, "              \
    "l.participants, l.unit_id, lo.name AS unit_name, l.note, l.created_by, "  \
    "u.display_name AS created_by_name, l.created_at, (SELECT COUNT(*) FROM "  \
    "service_log_enterprises x WHERE x.log_id = l.id) AS n_enterprises, "      \
    "(SELECT COUNT(*) FROM service_asks k WHERE k.log_id = l.id AND "          \
    "k.status <> 'voided') AS n_asks, (SELECT COUNT(*) FROM service_asks k "   \
    "WHERE k.log_id = l.id AND k.status = 'open') AS n_open_asks "
#define SERVICE_LOG_TYPES "ittitttittittiii"

/* WHERE of the log list (after "WHERE "), scope first: the organising
 * unit, or an enterprise of the log, in a's units. */
static int service_log_where(Db *db, const Actor *a, const ServiceLogFilter *f,
                             Sqlq *q, char *upath, char *like, Err *e)
{
    int n = sqlq_text(q, a->unit_path);
    int rc;

    sqlq_addf(q,
              "(substr(lo.path, 1, length($%d)) = $%d OR EXISTS (SELECT 1 "
              "FROM service_log_enterprises x JOIN enterprises xe ON xe.id = "
              "x.enterprise_id JOIN org_units xo ON xo.id = xe.unit_id WHERE "
              "x.log_id = l.id AND substr(xo.path, 1, length($%d)) = $%d))",
              n, n, n, n);
    if (f->unit_id) {
        rc = org_path(db, f->unit_id, upath, ACTOR_PATH_MAX, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, upath))) {
            return err_set(e, ERR_INVALID, "unit_id", "单位 %lld 不存在",
                           (long long)f->unit_id);
        }
        if (rc) {
            return rc;
        }
        n = sqlq_text(q, upath);
        sqlq_addf(q, " AND substr(lo.path, 1, length($%d)) = $%d", n, n);
    }
    if (f->kind && *f->kind) {
        if (!service_kind_name(f->kind)) {
            return err_set(e, ERR_INVALID, "kind", "类型“%s”不存在", f->kind);
        }
        sqlq_addf(q, " AND l.kind = $%d", sqlq_text(q, f->kind));
    }
    if (f->year) {
        sqlq_addf(q, " AND l.year = $%d", sqlq_int(q, f->year));
    }
    if (f->enterprise_id) {
        sqlq_addf(q,
                  " AND (EXISTS (SELECT 1 FROM service_log_enterprises y "
                  "WHERE y.log_id = l.id AND y.enterprise_id = $%d) OR "
                  "EXISTS (SELECT 1 FROM service_asks z WHERE z.log_id = "
                  "l.id AND z.enterprise_id = $%d))",
                  sqlq_int(q, f->enterprise_id), sqlq_int(q, f->enterprise_id));
    }
    if (f->q && *f->q) {
        int k;
        pipe_like(f->q, like);
        k = sqlq_text(q, like);
        sqlq_addf(q,
                  " AND (l.title LIKE $%d ESCAPE '\\' OR COALESCE(l.topics, "
                  "'') LIKE $%d ESCAPE '\\')",
                  k, k);
    }
    return 0;
}

static void service_log_decorate(json_t *o)
{
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *name = service_kind_name(kind);

    json_object_set_new(o, "kind_name", json_string(name ? name : ""));
}

int service_log_list(Db *db, const Actor *a, const ServiceLogFilter *f,
                     int64_t offset, int64_t limit, json_t **items,
                     int64_t *total, Err *e)
{
    static const char *from =
        "FROM service_logs l JOIN org_units lo ON lo.id = l.unit_id LEFT "
        "JOIN users u ON u.id = l.created_by WHERE ";
    char upath[ACTOR_PATH_MAX], like[PIPE_LIKE_MAX];
    json_t *arr = json_array(), *it;
    DbStmt *st = NULL;
    size_t i;
    Sqlq q;
    int rc = 0;

    *items = NULL;
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        sqlq_init(&q, pass == 0 ? "SELECT COUNT(*) " : SERVICE_LOG_COLS);
        sqlq_addf(&q, "%s", from);
        rc = service_log_where(db, a, f, &q, upath, like, e);
        if (rc == 0 && pass == 1) {
            sqlq_addf(&q,
                      " ORDER BY l.held_on DESC, l.id DESC LIMIT $%d "
                      "OFFSET $%d",
                      sqlq_int(&q, limit), sqlq_int(&q, offset));
        }
        if (rc == 0) {
            rc = sqlq_prepare(&q, db, &st, e);
        }
        if (rc == 0 && pass == 0) {
            rc = db_step(st, e);
            rc = rc == DB_ROW ? 0 : rc;
            *total = rc == 0 ? db_col_int64(st, 0) : 0;
        } else if (rc == 0) {
            rc = pipe_rows_json(st, SERVICE_LOG_TYPES, arr, e);
        }
        db_finalize(st);
        st = NULL;
        sqlq_release(&q);
    }
    json_array_foreach(arr, i, it)
    {
        service_log_decorate(it);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

int service_log_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    char upath[ACTOR_PATH_MAX], like[PIPE_LIKE_MAX];
    ServiceLogFilter f;
    ServiceAskFilter af;
    json_t *ents = json_array(), *asks = NULL;
    DbStmt *st = NULL;
    int64_t total = 0;
    Sqlq q;
    int rc;

    *out = NULL;
    memset(&f, 0, sizeof f);
    sqlq_init(&q, SERVICE_LOG_COLS "FROM service_logs l JOIN org_units lo ON "
                                   "lo.id = l.unit_id LEFT JOIN users u ON "
                                   "u.id = l.created_by WHERE ");
    rc = service_log_where(db, a, &f, &q, upath, like, e);
    sqlq_addf(&q, " AND l.id = $%d", sqlq_int(&q, id));
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    if (rc == 0) {
        rc = pipe_row_json(st, SERVICE_LOG_TYPES, out, "服务记录不存在", e);
    }
    db_finalize(st);
    st = NULL;
    sqlq_release(&q);
    if (rc == 0) {
        service_log_decorate(*out);
        rc = db_prepare_v(db, &st, e,
                          "SELECT e.id, e.uscc, e.name, o.name AS unit_name "
                          "FROM service_log_enterprises x JOIN enterprises e "
                          "ON e.id = x.enterprise_id JOIN org_units o ON o.id "
                          "= e.unit_id WHERE x.log_id = $1 AND substr(o.path, "
                          "1, length($2)) = $2 ORDER BY e.name, e.id",
                          "it", id, a->unit_path);
    }
    if (rc == 0) {
        rc = pipe_rows_json(st, "ittt", ents, e);
    }
    db_finalize(st);
    if (rc == 0) {
        memset(&af, 0, sizeof af);
        af.log_id = id;
        af.with_voided = 1;
        rc =
            service_ask_list(db, a, &af, 0, SERVICE_ASKS_MAX, &asks, &total, e);
    }
    if (rc) {
        json_decref(*out);
        json_decref(ents);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "enterprises", ents);
    json_object_set_new(*out, "asks", asks);
    return 0;
}

int service_ask_add(Db *db, const Actor *a, int64_t log_id,
                    const ServiceAskInput *in, int64_t *id, Err *e)
{
    char path[ACTOR_PATH_MAX], due[DATE_ISO_SIZE], now[CLOCK_ISO_LEN];
    int64_t handler = 0;
    int rc;

    *id = 0;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能登记诉求");
    }
    if (log_id) {
        json_t *log = NULL;
        rc = service_log_get(db, a, log_id, &log, e);
        json_decref(log);
        if (rc) {
            return rc == ERR_NOTFOUND
                       ? err_set(e, ERR_INVALID, "log_id",
                                 "服务记录 %lld 不存在", (long long)log_id)
                       : rc;
        }
    }
    rc = service_ask_check(db, a, in, "", path, &handler, due, e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = service_ask_insert(db, a, log_id, in, path, handler, due, now, id,
                                e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id = 0;
    }
    return rc;
}

int service_ask_list(Db *db, const Actor *a, const ServiceAskFilter *f,
                     int64_t offset, int64_t limit, json_t **items,
                     int64_t *total, Err *e)
{
    static const char *from =
        "FROM service_asks k JOIN enterprises e ON e.id = k.enterprise_id "
        "JOIN org_units o ON o.id = e.unit_id LEFT JOIN users u ON u.id = "
        "k.handler_user_id LEFT JOIN service_logs l ON l.id = k.log_id "
        "WHERE ";
    char today[DATE_ISO_SIZE], upath[ACTOR_PATH_MAX];
    json_t *arr = json_array(), *it;
    DbStmt *st = NULL;
    size_t i;
    Sqlq q;
    int rc = 0;

    *items = NULL;
    date_format_iso(date_today(), today);
    if (f->status && *f->status && !service_ask_status_name(f->status)) {
        json_decref(arr);
        return labels_refuse(e, "status", "状态", service_ask_statuses_json(),
                             NULL);
    }
    if (f->unit_id) {
        rc = org_path(db, f->unit_id, upath, sizeof upath, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, upath))) {
            rc = err_set(e, ERR_INVALID, "unit_id", "单位 %lld 不存在",
                         (long long)f->unit_id);
        }
    }
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        int n;
        sqlq_init(&q,
                  pass == 0
                      ? "SELECT COUNT(*) "
                      : "SELECT k.id, k.log_id, l.title AS log_title, "
                        "l.kind AS log_kind, k.enterprise_id, e.uscc, e.name "
                        "AS enterprise_name, e.unit_id, o.name AS unit_name, "
                        "k.content, k.handler_user_id, u.display_name AS "
                        "handler_name, k.due_on, k.status, k.closed_on, "
                        "k.result, k.created_at, k.updated_at, (SELECT "
                        "COUNT(*) FROM service_ask_notes m WHERE m.ask_id = "
                        "k.id) AS n_notes ");
        sqlq_addf(&q, "%s", from);
        n = sqlq_text(&q, a->unit_path);
        sqlq_addf(&q, "substr(o.path, 1, length($%d)) = $%d", n, n);
        if (!f->with_voided &&
            !(f->status && strcmp(f->status, "voided") == 0)) {
            sqlq_addf(&q, " AND k.status <> 'voided'");
        }
        if (f->unit_id) {
            n = sqlq_text(&q, upath);
            sqlq_addf(&q, " AND substr(o.path, 1, length($%d)) = $%d", n, n);
        }
        if (f->status && *f->status) {
            sqlq_addf(&q, " AND k.status = $%d", sqlq_text(&q, f->status));
        }
        if (f->overdue) {
            sqlq_addf(&q, " AND k.status = 'open' AND k.due_on < $%d",
                      sqlq_text(&q, today));
        }
        if (f->mine) {
            sqlq_addf(&q, " AND k.handler_user_id = $%d",
                      sqlq_int(&q, a->user_id));
        }
        if (f->enterprise_id) {
            sqlq_addf(&q, " AND k.enterprise_id = $%d",
                      sqlq_int(&q, f->enterprise_id));
        }
        if (f->log_id) {
            sqlq_addf(&q, " AND k.log_id = $%d", sqlq_int(&q, f->log_id));
        }
        if (f->ask_id) {
            sqlq_addf(&q, " AND k.id = $%d", sqlq_int(&q, f->ask_id));
        }
        if (pass == 1) {
            sqlq_addf(&q,
                      " ORDER BY CASE WHEN k.status = 'open' THEN 0 ELSE 1 "
                      "END, k.due_on, k.id LIMIT $%d OFFSET $%d",
                      sqlq_int(&q, limit), sqlq_int(&q, offset));
        }
        rc = sqlq_prepare(&q, db, &st, e);
        if (rc == 0 && pass == 0) {
            rc = db_step(st, e);
            rc = rc == DB_ROW ? 0 : rc;
            *total = rc == 0 ? db_col_int64(st, 0) : 0;
        } else if (rc == 0) {
            rc = pipe_rows_json(st, "iittittittittttttti", arr, e);
        }
        db_finalize(st);
        st = NULL;
        sqlq_release(&q);
    }
    json_array_foreach(arr, i, it)
    {
        const char *due = json_string_value(json_object_get(it, "due_on"));
        const char *status = json_string_value(json_object_get(it, "status"));
        int voided = status && strcmp(status, "voided") == 0;
        json_object_set_new(it, "voided", json_boolean(voided));
        json_object_set_new(it, "overdue",
                            json_boolean(!voided && due && status &&
                                         strcmp(status, "open") == 0 &&
                                         strcmp(due, today) < 0));
        json_object_set_new(it, "status_name",
                            json_string(service_ask_status_name(status)
                                            ? service_ask_status_name(status)
                                            : ""));
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

int service_ask_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    ServiceAskFilter f;
    json_t *items = NULL, *notes = json_array();
    DbStmt *st = NULL;
    int64_t total = 0;
    int rc;

    *out = NULL;
    memset(&f, 0, sizeof f);
    f.ask_id = id;
    f.with_voided = 1;
    rc = service_ask_list(db, a, &f, 0, 1, &items, &total, e);
    if (rc == 0 && total == 0) {
        rc = err_set(e, ERR_NOTFOUND, "id", "诉求不存在");
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, at, user_id, user_name, note FROM "
                          "service_ask_notes WHERE ask_id = $1 ORDER BY id",
                          "i", id);
    }
    if (rc == 0) {
        rc = pipe_rows_json(st, "ititt", notes, e);
    }
    db_finalize(st);
    if (rc) {
        json_decref(items);
        json_decref(notes);
        return rc;
    }
    *out = json_incref(json_array_get(items, 0));
    json_object_set_new(*out, "notes", notes);
    json_decref(items);
    return 0;
}

int service_ask_follow(Db *db, const Actor *a, int64_t ask_id, const char *note,
                       int close, const char *result, json_t **out, Err *e)
{
    char now[CLOCK_ISO_LEN], today[DATE_ISO_SIZE];
    json_t *cur = NULL, *after = NULL, *before = NULL;
    const char *status;
    int rc;

    *out = NULL;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能办理诉求");
    }
    rc = service_text(note, 1, SERVICE_TEXT_MAX, "note", "跟进情况", e);
    if (rc == 0 && close == 1) {
        rc = service_text(result, 1, SERVICE_TEXT_MAX, "result", "办理结果", e);
    }
    if (rc == 0) {
        rc = service_ask_get(db, a, ask_id, &cur, e);
    }
    if (rc) {
        return rc;
    }
    status = json_string_value(json_object_get(cur, "status"));
    if (json_is_true(json_object_get(cur, "voided"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "诉求已作废，不能再跟进");
        goto out;
    }
    if (close == 1 && status && strcmp(status, "closed") == 0) {
        rc = err_set(e, ERR_CONFLICT, "close", "诉求已办结");
        goto out;
    }
    if (close == -1 && status && strcmp(status, "open") == 0) {
        rc = err_set(e, ERR_CONFLICT, "close", "诉求仍在办理中");
        goto out;
    }
    clock_now_iso(now, 0);
    date_format_iso(date_today(), today);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc =
            db_exec_v(db, e,
                      "INSERT INTO service_ask_notes (ask_id, at, user_id, "
                      "user_name, note) VALUES ($1, $2, $3, $4, $5)",
                      "itptt", ask_id, now, a->user_id > 0 ? &a->user_id : NULL,
                      service_user_name(a), note);
    }
    if (rc == 0 && close == 1) {
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET status = 'closed', closed_on "
                       "= $1, result = $2, updated_at = $3 WHERE id = $4",
                       "ttti", today, result, now, ask_id);
    } else if (rc == 0 && close == -1) {
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET status = 'open', closed_on = "
                       "NULL, updated_at = $1 WHERE id = $2",
                       "ti", now, ask_id);
    } else if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET updated_at = $1 WHERE id = $2",
                       "ti", now, ask_id);
    }
    if (rc == 0) {
        char path[ACTOR_PATH_MAX] = "";
        int64_t ent = json_integer_value(json_object_get(cur, "enterprise_id"));
        rc = service_ent(db, a, ent, "enterprise_id", path, NULL, e);
        if (rc == ERR_INVALID) { /* retired since: keep the actor's scope */
            rc = 0;
            path[0] = '\0';
        }
        before = json_pack("{ss?}", "status", status);
        after = json_pack("{ssss?ss?}", "note", note, "status",
                          close == 1    ? "closed"
                          : close == -1 ? "open"
                                        : status,
                          "result", close == 1 ? result : NULL);
        if (rc == 0) {
            rc = audit_record(
                db, a, close == 1 ? "service.ask_close" : "service.ask_follow",
                "service_ask", ask_id, path[0] ? path : NULL, before, after, e);
        }
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    rc = service_ask_get(db, a, ask_id, out, e);
out:
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* The current log id for a change: visible to a and organised within a's
 * units (ERR_FORBIDDEN otherwise). *cur the log (service_log_get), *lpath
 * its unit's path. */
static int service_log_for_change(Db *db, const Actor *a, int64_t id,
                                  json_t **cur, char lpath[ACTOR_PATH_MAX],
                                  Err *e)
{
    int64_t unit;
    int rc;

    *cur = NULL;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改服务记录");
    }
    rc = service_log_get(db, a, id, cur, e);
    if (rc) {
        return rc;
    }
    unit = json_integer_value(json_object_get(*cur, "unit_id"));
    rc = org_path(db, unit, lpath, ACTOR_PATH_MAX, NULL, e);
    if (rc == 0 && !actor_sees_path(a, lpath)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL,
                     "只能修改本单位及下级单位组织的服务记录");
    }
    if (rc) {
        json_decref(*cur);
        *cur = NULL;
    }
    return rc;
}

int service_log_update(Db *db, const Actor *a, int64_t id,
                       const ServiceLogInput *in, int has_enterprises, Err *e)
{
    char held[DATE_ISO_SIZE], now[CLOCK_ISO_LEN], upath[ACTOR_PATH_MAX];
    char lpath[ACTOR_PATH_MAX];
    json_t *cur = NULL, *before = NULL, *after = NULL;
    int64_t unit = 0;
    int y = 0, rc;

    if (in->n_asks) {
        return err_set(e, ERR_INVALID, "asks",
                       "修改服务记录时不能登记诉求，请在记录详情中添加");
    }
    rc = service_log_for_change(db, a, id, &cur, lpath, e);
    if (rc == 0) {
        rc = service_log_check(db, a, in, held, &y, &unit, upath, e);
    }
    if (rc) {
        json_decref(cur);
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(
            db, e,
            "UPDATE service_logs SET kind = $1, held_on = $2, year = $3, "
            "title = $4, topics = $5, participants = $6, unit_id = $7, note "
            "= $8, updated_at = $9 WHERE id = $10",
            "ttitttitti", in->kind, held, (int64_t)y, in->title,
            in->topics && *in->topics ? in->topics : NULL,
            in->participants && *in->participants ? in->participants : NULL,
            unit, in->note && *in->note ? in->note : NULL, now, id);
    }
    if (rc == 0 && has_enterprises) {
        /* the attendance within a's units is replaced; others stay */
        rc = db_exec_v(db, e,
                       "DELETE FROM service_log_enterprises WHERE log_id = $1 "
                       "AND enterprise_id IN (SELECT e.id FROM enterprises e "
                       "JOIN org_units o ON o.id = e.unit_id WHERE "
                       "substr(o.path, 1, length($2)) = $2)",
                       "it", id, a->unit_path);
        for (size_t i = 0; rc == 0 && i < in->n_enterprises; i++) {
            rc = db_exec_v(db, e,
                           "INSERT INTO service_log_enterprises (log_id, "
                           "enterprise_id) VALUES ($1, $2) ON CONFLICT "
                           "(log_id, enterprise_id) DO NOTHING",
                           "ii", id, in->enterprise_ids[i]);
        }
    }
    if (rc == 0) {
        before =
            json_pack("{sOsOsOsOsOsOsO}", "kind", json_object_get(cur, "kind"),
                      "held_on", json_object_get(cur, "held_on"), "title",
                      json_object_get(cur, "title"), "topics",
                      json_object_get(cur, "topics"), "participants",
                      json_object_get(cur, "participants"), "note",
                      json_object_get(cur, "note"), "unit_id",
                      json_object_get(cur, "unit_id"));
        after = json_pack(
            "{sssssss?s?s?sI}", "kind", in->kind, "held_on", held, "title",
            in->title, "topics", in->topics && *in->topics ? in->topics : NULL,
            "participants",
            in->participants && *in->participants ? in->participants : NULL,
            "note", in->note && *in->note ? in->note : NULL, "unit_id",
            (json_int_t)unit);
        if (has_enterprises && after) {
            json_t *ents = json_array(), *old = json_array(), *x;
            size_t i;
            for (i = 0; i < in->n_enterprises; i++) {
                json_array_append_new(ents,
                                      json_integer(in->enterprise_ids[i]));
            }
            json_array_foreach(json_object_get(cur, "enterprises"), i, x)
            {
                json_array_append(old, json_object_get(x, "id"));
            }
            json_object_set_new(after, "enterprises", ents);
            if (before) {
                json_object_set_new(before, "enterprises", old);
            } else {
                json_decref(old);
            }
        }
        rc = audit_record(db, a, "service.log_update", "service_log", id, lpath,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

int service_log_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                       Err *e)
{
    char now[CLOCK_ISO_LEN], today[DATE_ISO_SIZE], lpath[ACTOR_PATH_MAX];
    json_t *cur = NULL, *before = NULL, *after = NULL, *x, *ents, *asks;
    size_t i;
    int rc;

    rc = service_text(reason, 1, 500, "reason", "删除原因", e);
    if (rc == 0) {
        rc = service_log_for_change(db, a, id, &cur, lpath, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    date_format_iso(date_today(), today);
    rc = db_begin(db, e);
    if (rc == 0) {
        /* its asks still open are voided with the reason; every ask stays
         * (detached from the log) with its notes */
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET status = 'voided', result = "
                       "$1, closed_on = $2, updated_at = $3 WHERE log_id = $4 "
                       "AND status = 'open'",
                       "ttti", reason, today, now, id);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET log_id = NULL WHERE log_id = "
                       "$1",
                       "i", id);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM service_log_enterprises WHERE log_id = $1",
                       "i", id);
    }
    if (rc == 0) {
        rc =
            db_exec_v(db, e, "DELETE FROM service_logs WHERE id = $1", "i", id);
    }
    if (rc == 0) {
        /* the audit entry keeps what was deleted */
        ents = json_array();
        asks = json_array();
        json_array_foreach(json_object_get(cur, "enterprises"), i, x)
        {
            json_array_append(ents, json_object_get(x, "id"));
        }
        json_array_foreach(json_object_get(cur, "asks"), i, x)
        {
            json_array_append(asks, json_object_get(x, "id"));
        }
        before = json_pack(
            "{sOsOsOsOsOsOsOsoso}", "kind", json_object_get(cur, "kind"),
            "held_on", json_object_get(cur, "held_on"), "title",
            json_object_get(cur, "title"), "topics",
            json_object_get(cur, "topics"), "participants",
            json_object_get(cur, "participants"), "note",
            json_object_get(cur, "note"), "unit_id",
            json_object_get(cur, "unit_id"), "enterprises", ents, "asks", asks);
        after = json_pack("{ss}", "reason", reason);
        rc = audit_record(db, a, "service.log_delete", "service_log", id, lpath,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* The current ask for a change (visible, not voided); path of its
 * enterprise's unit ("" when retired since). */
static int service_ask_for_change(Db *db, const Actor *a, int64_t id,
                                  json_t **cur, char path[ACTOR_PATH_MAX],
                                  Err *e)
{
    int rc;

    *cur = NULL;
    path[0] = '\0';
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改诉求");
    }
    rc = service_ask_get(db, a, id, cur, e);
    if (rc == 0 && json_is_true(json_object_get(*cur, "voided"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "诉求已作废，不能修改");
    }
    if (rc == 0) {
        int64_t ent =
            json_integer_value(json_object_get(*cur, "enterprise_id"));
        rc = service_ent(db, a, ent, "enterprise_id", path, NULL, e);
        if (rc == ERR_INVALID) { /* retired since: the actor's scope */
            rc = 0;
            path[0] = '\0';
        }
    }
    if (rc) {
        json_decref(*cur);
        *cur = NULL;
    }
    return rc;
}

int service_ask_update(Db *db, const Actor *a, int64_t id, const char *content,
                       const char *due_on, int has_handler, int64_t handler,
                       Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN], due[DATE_ISO_SIZE] = "";
    json_t *cur = NULL, *before = NULL, *after = NULL;
    int rc = 0;

    if (content) {
        rc = service_text(content, 1, SERVICE_TEXT_MAX, "content", "诉求内容",
                          e);
    }
    if (rc == 0 && due_on) {
        rc = *due_on ? service_date(due_on, "due_on", due, e)
                     : err_set(e, ERR_INVALID, "due_on", "请填写办理期限");
    }
    if (rc == 0 && has_handler && handler) {
        rc = service_user_ok(db, handler, "handler_user_id", e);
    }
    if (rc == 0) {
        rc = service_ask_for_change(db, a, id, &cur, path, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(
            db, e,
            "UPDATE service_asks SET content = COALESCE($1, content), due_on "
            "= COALESCE($2, due_on), handler_user_id = CASE WHEN $3 = 1 THEN "
            "$4 ELSE handler_user_id END, updated_at = $5 WHERE id = $6",
            "ttipti", content, due[0] ? due : NULL, (int64_t)has_handler,
            has_handler && handler ? &handler : NULL, now, id);
    }
    if (rc == 0) {
        before = json_object();
        after = json_object();
        if (content) {
            json_object_set(before, "content", json_object_get(cur, "content"));
            json_object_set_new(after, "content", json_string(content));
        }
        if (due[0]) {
            json_object_set(before, "due_on", json_object_get(cur, "due_on"));
            json_object_set_new(after, "due_on", json_string(due));
        }
        if (has_handler) {
            json_object_set(before, "handler_user_id",
                            json_object_get(cur, "handler_user_id"));
            json_object_set_new(after, "handler_user_id",
                                handler ? json_integer(handler) : json_null());
        }
        rc = audit_record(db, a, "service.ask_update", "service_ask", id,
                          path[0] ? path : NULL, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

int service_ask_void(Db *db, const Actor *a, int64_t id, const char *reason,
                     Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN], today[DATE_ISO_SIZE];
    json_t *cur = NULL, *before = NULL, *after = NULL;
    const char *status;
    int rc;

    rc = service_text(reason, 1, 500, "reason", "作废原因", e);
    if (rc == 0) {
        rc = service_ask_for_change(db, a, id, &cur, path, e);
    }
    if (rc) {
        return rc;
    }
    status = json_string_value(json_object_get(cur, "status"));
    if (!status || strcmp(status, "open") != 0) {
        json_decref(cur);
        return err_set(e, ERR_CONFLICT, "id",
                       "诉求已办结，不能作废（可重新打开后再作废）");
    }
    clock_now_iso(now, 0);
    date_format_iso(date_today(), today);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE service_asks SET status = 'voided', result = "
                       "$1, closed_on = $2, updated_at = $3 WHERE id = $4 AND "
                       "status = 'open'",
                       "ttti", reason, today, now, id);
    }
    if (rc == 0) {
        before = json_pack("{ss}", "status", "open");
        after = json_pack("{ssss}", "status", "voided", "reason", reason);
        rc = audit_record(db, a, "service.ask_void", "service_ask", id,
                          path[0] ? path : NULL, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

int service_stats(Db *db, const Actor *a, int64_t year, json_t **out, Err *e)
{
    ServiceLogFilter f;
    json_t *items = NULL, *events = json_array(), *by_kind = json_object();
    json_t *it;
    int64_t total = 0, trainings = 0, ok = 0;
    size_t i;
    int rc;

    *out = NULL;
    memset(&f, 0, sizeof f);
    f.year = year;
    rc = service_log_list(db, a, &f, 0, SERVICE_EXPORT_MAX, &items, &total, e);
    if (rc) {
        json_decref(events);
        json_decref(by_kind);
        return rc;
    }
    json_array_foreach(items, i, it)
    {
        const char *kind = json_string_value(json_object_get(it, "kind"));
        json_int_t n = json_integer_value(json_object_get(it, "n_enterprises"));
        json_object_set_new(
            by_kind, kind,
            json_integer(json_integer_value(json_object_get(by_kind, kind)) +
                         1));
        if (strcmp(kind, "training") != 0) {
            continue;
        }
        trainings++;
        ok += n >= SERVICE_TRAINING_MIN;
        json_array_append_new(
            events,
            json_pack("{sOsOsOsIsb}", "id", json_object_get(it, "id"),
                      "held_on", json_object_get(it, "held_on"), "title",
                      json_object_get(it, "title"), "attendance", n,
                      "meets_min", n >= SERVICE_TRAINING_MIN));
    }
    json_decref(items);
    *out = json_pack("{sIsIsIsisisbsoso}", "year", (json_int_t)year,
                     "trainings", (json_int_t)trainings, "with_min_attendance",
                     (json_int_t)ok, "min_attendance", SERVICE_TRAINING_MIN,
                     "target_trainings", SERVICE_TRAININGS_YEAR, "meets_target",
                     trainings >= SERVICE_TRAININGS_YEAR, "events", events,
                     "by_kind", by_kind);
    return 0;
}
