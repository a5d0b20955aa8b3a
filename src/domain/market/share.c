/* share.c - 创新资源库 sharing records (see share.h). */
#include "domain/market/share.h"

#include <ctype.h>
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
#include "domain/market/mk_list.h"

#define SHARE_PURPOSE_MAX 500

/* "12", "2.5" -> tenths of an hour; ERR_INVALID otherwise. */
static int share_hours(const char *s, int64_t *out, Err *e)
{
    int64_t v = 0;
    size_t i = 0;
    int digits = 0;

    while (s && s[i] == ' ') {
        i++;
    }
    if (s && s[i] == '-') {
        return err_set(e, ERR_INVALID, "hours", "使用时长不能为负数");
    }
    for (; s && isdigit((unsigned char)s[i]) && digits < 6; i++, digits++) {
        v = v * 10 + (s[i] - '0');
    }
    v *= 10;
    if (s && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        v += s[i + 1] - '0';
        i += 2;
    }
    while (s && s[i] == ' ') {
        i++;
    }
    if (!s || digits == 0 || s[i] != '\0') {
        return err_set(e, ERR_INVALID, "hours",
                       "使用时长应为小时数，最多一位小数（如 2.5）");
    }
    *out = v;
    return 0;
}

int share_create(Db *db, const Actor *a, const ShareInput *in, int64_t *id_out,
                 Err *e)
{
    char purpose[4 * SHARE_PURPOSE_MAX + 1] = "", from[DATE_ISO_SIZE],
                                         to[DATE_ISO_SIZE];
    char now[CLOCK_ISO_LEN], *path = NULL, *sub = NULL;
    json_t *after = NULL;
    int64_t hours10 = 0, fee = 0, unit = 0, id = 0;
    DbStmt *st = NULL;
    Date df = 0, dt = 0;
    int rc;

    /* the resource: an instrument or a lab of the 创新资源库 */
    rc = db_query_text(db, &sub, e,
                       "SELECT subkind FROM market_items WHERE id = $1 AND "
                       "kind = 'resource' AND retired_at IS NULL",
                       "i", in->resource_id);
    if (rc == ERR_NOTFOUND ||
        (rc == 0 && (!sub || (strcmp(sub, "instrument") != 0 &&
                              strcmp(sub, "lab") != 0)))) {
        rc = err_set(e, ERR_INVALID, "resource_id",
                     "共享资源应为创新资源库中的大型科学仪器或实验室");
    }
    free(sub);
    if (rc) {
        return rc;
    }
    /* the user enterprise, in scope: the record takes its unit */
    rc = db_prepare_v(db, &st, e,
                      "SELECT o.path, e.unit_id FROM enterprises e JOIN "
                      "org_units o ON o.id = e.unit_id WHERE e.id = $1 AND "
                      "e.retired_at IS NULL",
                      "i", in->ent_id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW &&
        actor_sees_path(a, db_col_text(st, 0))) {
        path = xstrdup(db_col_text(st, 0));
        unit = db_col_int64(st, 1);
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_INVALID, "ent_id",
                     "使用企业不存在或不在本人数据范围内");
    }
    db_finalize(st);
    st = NULL;
    if (rc == 0 && (!in->used_from || !*in->used_from)) {
        rc = err_set(e, ERR_INVALID, "used_from", "请填写使用日期");
    }
    if (rc == 0) {
        rc = date_parse(in->used_from, &df, "used_from", e);
    }
    dt = df;
    if (rc == 0 && in->used_to && *in->used_to) {
        rc = date_parse(in->used_to, &dt, "used_to", e);
        if (rc == 0 && dt < df) {
            rc = err_set(e, ERR_INVALID, "used_to",
                         "使用结束日期不能早于开始日期");
        }
    }
    if (rc == 0) {
        rc = share_hours(in->hours, &hours10, e);
    }
    if (rc == 0 && hours10 > (int64_t)240 * (date_diff_days(df, dt) + 1)) {
        rc = err_set(e, ERR_INVALID, "hours",
                     "使用时长超过了使用日期内的总小时数（每天 24 小时）");
    }
    if (rc == 0) {
        if (!in->fee || !*in->fee) {
            rc = err_set(e, ERR_INVALID, "fee",
                         "请填写收费金额（元），免费填 0");
        } else if (strchr(in->fee, '-')) {
            rc = err_set(e, ERR_INVALID, "fee", "收费金额不能为负数");
        } else {
            rc = money_parse_yuan(in->fee, &fee, 0, "fee", e);
        }
    }
    if (rc == 0 && in->purpose && *in->purpose) {
        rc = valid_text(in->purpose, 0, SHARE_PURPOSE_MAX, purpose,
                        sizeof purpose, "purpose", "用途", e);
    }
    if (rc) {
        goto out0;
    }
    date_format_iso(df, from);
    date_format_iso(dt, to);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out0;
    }
    rc = db_prepare_v(db, &st, e,
                      "INSERT INTO resource_uses (resource_id, ent_id, "
                      "used_from, used_to, hours10, fee, purpose, unit_id, "
                      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                      "$9) RETURNING id",
                      "iittiitit", in->resource_id, in->ent_id, from, to,
                      hours10, fee, purpose[0] ? purpose : NULL, unit, now);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_DB, NULL, "写入失败");
    }
    db_finalize(st);
    if (rc == 0) {
        after = json_pack("{sIsIsssssIsIss}", "resource_id",
                          (json_int_t)in->resource_id, "enterprise_id",
                          (json_int_t)in->ent_id, "used_from", from, "used_to",
                          to, "hours10", (json_int_t)hours10, "fee",
                          (json_int_t)fee, "note", purpose);
        rc = audit_record(db, a, "resource_use.create", "resource_use", id,
                          path, NULL, after, e);
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
    free(path);
    return rc;
}

#define SHARE_SELECT                                                           \
    "SELECT u.id, u.resource_id, r.title, r.subkind, r.org_name, u.ent_id, "   \
    "e.name, u.used_from, u.used_to, u.hours10, u.fee, u.purpose, o.name, "    \
    "o.path, u.retired_at, u.retire_reason, u.created_at FROM resource_uses "  \
    "u JOIN market_items r ON r.id = u.resource_id JOIN enterprises e ON "     \
    "e.id = u.ent_id JOIN org_units o ON o.id = u.unit_id "

static json_t *share_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *share_row_json(DbStmt *st)
{
    json_t *o = json_object();
    int64_t h = db_col_int64(st, 9);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "resource_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "resource_title", share_text(st, 2));
    json_object_set_new(o, "resource_subkind", share_text(st, 3));
    json_object_set_new(o, "resource_org", share_text(st, 4));
    json_object_set_new(o, "ent_id", json_integer(db_col_int64(st, 5)));
    json_object_set_new(o, "ent_name", share_text(st, 6));
    json_object_set_new(o, "used_from", share_text(st, 7));
    json_object_set_new(o, "used_to", share_text(st, 8));
    json_object_set_new(
        o, "hours",
        json_sprintf("%lld.%lld", (long long)(h / 10), (long long)(h % 10)));
    json_object_set_new(o, "fee", json_integer(db_col_int64(st, 10)));
    json_object_set_new(o, "purpose", share_text(st, 11));
    json_object_set_new(o, "unit_name", share_text(st, 12));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 14)));
    json_object_set_new(o, "retire_reason", share_text(st, 15));
    json_object_set_new(o, "created_at", share_text(st, 16));
    return o;
}

int share_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, SHARE_SELECT "WHERE u.id = $1", "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW &&
        actor_sees_path(a, db_col_text(st, 13))) {
        *out = share_row_json(st);
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "共享记录不存在");
    }
    db_finalize(st);
    return rc;
}

int share_retire(Db *db, const Actor *a, int64_t id, const char *reason, Err *e)
{
    char clean[4 * SHARE_PURPOSE_MAX + 1], now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX];
    json_t *cur = NULL, *after = NULL;
    DbStmt *st = NULL;
    int rc;

    if (!reason || !*reason) {
        return err_set(e, ERR_INVALID, "reason", "请填写删除原因");
    }
    rc = valid_text(reason, 1, SHARE_PURPOSE_MAX, clean, sizeof clean, "reason",
                    "删除原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e, SHARE_SELECT "WHERE u.id = $1", "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW &&
        actor_sees_path(a, db_col_text(st, 13))) {
        cur = share_row_json(st);
        snprintf(path, sizeof path, "%s", db_col_text(st, 13));
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "共享记录不存在");
    }
    db_finalize(st);
    if (rc == 0 && json_is_true(json_object_get(cur, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "该记录已删除");
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE resource_uses SET retired_at = $2, "
                       "retire_reason = $3 WHERE id = $1",
                       "itt", id, now, clean);
    }
    if (rc == 0) {
        after = json_pack("{ss}", "retire_reason", clean);
        rc = audit_record(db, a, "resource_use.retire", "resource_use", id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(cur);
    json_decref(after);
    return rc;
}

typedef struct ShareWhere {
    char path[ACTOR_PATH_MAX + 2];
    char from[16], to[16];
} ShareWhere;

static void share_where(Sqlq *q, const Actor *a, const ShareFilter *f,
                        ShareWhere *w)
{
    snprintf(w->path, sizeof w->path, "%s%%", a->unit_path);
    sqlq_addf(q, " WHERE o.path LIKE $%d AND u.retired_at IS NULL",
              sqlq_text(q, w->path));
    if (f->resource_id) {
        sqlq_addf(q, " AND u.resource_id = $%d", sqlq_int(q, f->resource_id));
    }
    if (f->ent_id) {
        sqlq_addf(q, " AND u.ent_id = $%d", sqlq_int(q, f->ent_id));
    }
    if (f->year) {
        snprintf(w->from, sizeof w->from, "%04lld-01-01", (long long)f->year);
        snprintf(w->to, sizeof w->to, "%04lld-12-31", (long long)f->year);
        sqlq_addf(q, " AND u.used_from >= $%d AND u.used_from <= $%d",
                  sqlq_text(q, w->from), sqlq_text(q, w->to));
    }
}

int share_list(Db *db, const Actor *a, const ShareFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e)
{
    ShareWhere w = {0};
    Sqlq count, rows;

    sqlq_init(&count, "SELECT COUNT(*) FROM resource_uses u JOIN org_units o "
                      "ON o.id = u.unit_id");
    share_where(&count, a, f, &w);
    sqlq_init(&rows, SHARE_SELECT);
    share_where(&rows, a, f, &w);
    sqlq_addf(&rows,
              " ORDER BY u.used_from DESC, u.id DESC LIMIT $%d OFFSET $%d",
              sqlq_int(&rows, limit), sqlq_int(&rows, offset));
    return mk_list_page(db, &count, &rows, share_row_json, items, total, e);
}

int share_totals(Db *db, const Actor *a, const ShareFilter *f, json_t **out,
                 Err *e)
{
    DbStmt *st = NULL;
    ShareWhere w = {0};
    Sqlq q;
    int rc;

    *out = NULL;
    sqlq_init(&q, "SELECT SUBSTR(u.used_from, 1, 4), COUNT(*), "
                  "SUM(u.hours10), SUM(u.fee) FROM resource_uses u JOIN "
                  "org_units o ON o.id = u.unit_id");
    share_where(&q, a, f, &w);
    sqlq_addf(&q, " GROUP BY SUBSTR(u.used_from, 1, 4) ORDER BY 1 DESC");
    rc = sqlq_prepare(&q, db, &st, e);
    *out = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t h = db_col_int64(st, 2);
        json_array_append_new(
            *out, json_pack("{sIsIsosI}", "year",
                            (json_int_t)strtoll(db_col_text(st, 0), NULL, 10),
                            "uses", (json_int_t)db_col_int64(st, 1), "hours",
                            json_sprintf("%lld.%lld", (long long)(h / 10),
                                         (long long)(h % 10)),
                            "fee", (json_int_t)db_col_int64(st, 3)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

const char *const share_export_titles[SHARE_EXPORT_COLS] = {
    "资源名称", "所属单位（资源）", "使用企业",   "企业所属单位", "开始日期",
    "结束日期", "使用时长（小时）", "收费（元）", "用途"};

int share_export(Db *db, const Actor *a, const ShareFilter *f, ShareRowFn fn,
                 void *ud, Err *e)
{
    DbStmt *st = NULL;
    ShareWhere w = {0};
    Sqlq q;
    int rc;

    sqlq_init(&q, SHARE_SELECT);
    share_where(&q, a, f, &w);
    sqlq_addf(&q, " ORDER BY u.used_from DESC, u.id DESC LIMIT $%d",
              sqlq_int(&q, SHARE_EXPORT_MAX));
    rc = sqlq_prepare(&q, db, &st, e);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        char hours[32], fee[32];
        const char *cells[SHARE_EXPORT_COLS];
        int64_t h = db_col_int64(st, 9);
        snprintf(hours, sizeof hours, "%lld.%lld", (long long)(h / 10),
                 (long long)(h % 10));
        snprintf(fee, sizeof fee, "%lld", (long long)db_col_int64(st, 10));
        cells[0] = db_col_text(st, 2);
        cells[1] = db_col_text(st, 4);
        cells[2] = db_col_text(st, 6);
        cells[3] = db_col_text(st, 12);
        cells[4] = db_col_text(st, 7);
        cells[5] = db_col_text(st, 8);
        cells[6] = hours;
        cells[7] = fee;
        cells[8] = db_col_text(st, 11);
        rc = fn(ud, cells, e);
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}
