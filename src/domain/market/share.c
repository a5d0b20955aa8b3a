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
#include "domain/io/import.h"
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

/* share_create; in_tx: inside the caller's transaction (an import),
 * without the record's own audit entry. */
static int share_create_in(Db *db, const Actor *a, const ShareInput *in,
                           int in_tx, int64_t *id_out, Err *e)
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
    rc = in_tx ? 0 : db_begin(db, e);
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
    if (in_tx) { /* the caller's transaction and audit entry */
        *id_out = rc == 0 ? id : 0;
        goto out0;
    }
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

int share_create(Db *db, const Actor *a, const ShareInput *in, int64_t *id_out,
                 Err *e)
{
    return share_create_in(db, a, in, 0, id_out, e);
}

/* ---- import ---- */

/* The columns an import reads: the export's titles, plus the user
 * enterprise's USCC (preferred to its name when given). */
enum {
    SI_RES = 0,
    SI_RES_ORG,
    SI_ENT,
    SI_ENT_UNIT, /* the export's; not read */
    SI_FROM,
    SI_TO,
    SI_HOURS,
    SI_FEE,
    SI_PURPOSE,
    SI_ENT_USCC,
    SI_N
};

static const char *const si_titles[SI_N] = {"资源名称",
                                            "所属单位（资源）",
                                            "使用企业",
                                            "企业所属单位",
                                            "开始日期",
                                            "结束日期",
                                            "使用时长（小时）",
                                            "收费（元）",
                                            "用途",
                                            "使用企业统一社会信用代码"};

typedef struct ShImp {
    Db *db;
    const Actor *a;
    long header_row;
    int map[IMPORT_FILE_ROW_CELLS];
    int64_t rows, valid, invalid, errors_total;
    json_t *errors;
    int fatal;
    Err fatal_err;
} ShImp;

static void si_error(ShImp *m, long row, int col, const char *field,
                     const char *msg)
{
    m->invalid++;
    m->errors_total++;
    if (json_array_size(m->errors) < SHARE_IMPORT_ERRORS_KEPT) {
        json_array_append_new(
            m->errors, json_pack("{sIssssss}", "row", (json_int_t)row, "column",
                                 col >= 0 ? si_titles[col] : "", "field", field,
                                 "message", msg));
    }
}

/* The one open instrument or lab named title (of org when given). */
static int si_resource(Db *db, const char *title, const char *org, int64_t *id,
                       char *msg, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    int n = 0, rc;

    *id = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM market_items WHERE kind = 'resource' "
                      "AND subkind IN ('instrument', 'lab') AND retired_at "
                      "IS NULL AND title = $1 AND (CAST($2 AS TEXT) IS NULL "
                      "OR org_name = $2) ORDER BY id LIMIT 2",
                      "tt", title, org);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *id = n++ ? *id : db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    if (rc == 0 && n == 0) {
        snprintf(msg, cap, "创新资源库中没有名为“%s”的大型科学仪器或实验室%s",
                 title, org ? "（按所属单位）" : "");
    } else if (rc == 0 && n > 1) {
        snprintf(msg, cap, "有多个名为“%s”的资源，请填写所属单位（资源）",
                 title);
        *id = 0;
    }
    return rc;
}

/* The one unretired enterprise with this USCC, else this current name. */
static int si_ent(Db *db, const char *uscc, const char *name, int64_t *id,
                  char *msg, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    int n = 0, rc;

    *id = 0;
    if (uscc) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id FROM enterprises WHERE uscc = $1 AND "
                          "retired_at IS NULL",
                          "t", uscc);
    } else {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id FROM enterprises WHERE name = $1 AND "
                          "retired_at IS NULL ORDER BY id LIMIT 2",
                          "t", name);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *id = n++ ? *id : db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    if (rc == 0 && n == 0) {
        snprintf(msg, cap, "企业库中没有%s“%s”的企业",
                 uscc ? "统一社会信用代码为" : "名为", uscc ? uscc : name);
    } else if (rc == 0 && n > 1) {
        snprintf(msg, cap,
                 "企业库中有多家名为“%s”的企业，请填写使用企业统一"
                 "社会信用代码",
                 name);
        *id = 0;
    }
    return rc;
}

/* The column of a share_create error field. */
static int si_col_of_field(const char *field)
{
    static const struct {
        const char *field;
        int col;
    } m[] = {{"resource_id", SI_RES}, {"ent_id", SI_ENT},
             {"used_from", SI_FROM},  {"used_to", SI_TO},
             {"hours", SI_HOURS},     {"fee", SI_FEE},
             {"purpose", SI_PURPOSE}};
    size_t i;

    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (strcmp(field, m[i].field) == 0) {
            return m[i].col;
        }
    }
    return -1;
}

static int si_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    ShImp *m = ud;
    const char *v[SI_N] = {NULL};
    char msg[512];
    ShareInput in;
    int64_t id = 0;
    int rc;
    Err re;

    if (m->fatal) {
        return 0;
    }
    if (!m->header_row) {
        static const int need[] = {SI_RES, SI_FROM};
        int found;
        rc = import_header_find(row, cells, n, si_titles, SI_N, need, 2,
                                "共享使用记录", m->map, &found, e);
        if (rc == 0 && found) {
            m->header_row = row;
        }
        return rc;
    }
    if (import_row_cells(cells, n, m->map, v)) {
        return 0;
    }
    m->rows++;
    err_clear(&re);
    memset(&in, 0, sizeof in);
    if (!v[SI_RES]) {
        si_error(m, row, SI_RES, "resource_id", "请填写资源名称");
        return 0;
    }
    if (!v[SI_ENT] && !v[SI_ENT_USCC]) {
        si_error(m, row, SI_ENT, "ent_id", "请填写使用企业");
        return 0;
    }
    msg[0] = '\0';
    rc = si_resource(m->db, v[SI_RES], v[SI_RES_ORG], &in.resource_id, msg,
                     sizeof msg, &re);
    if (rc == 0 && !in.resource_id) {
        si_error(m, row, SI_RES, "resource_id", msg);
        return 0;
    }
    if (rc == 0) {
        rc = si_ent(m->db, v[SI_ENT_USCC], v[SI_ENT], &in.ent_id, msg,
                    sizeof msg, &re);
        if (rc == 0 && !in.ent_id) {
            si_error(m, row, v[SI_ENT_USCC] ? SI_ENT_USCC : SI_ENT, "ent_id",
                     msg);
            return 0;
        }
    }
    if (rc == 0) {
        in.used_from = v[SI_FROM];
        in.used_to = v[SI_TO];
        in.hours = v[SI_HOURS];
        in.fee = v[SI_FEE];
        in.purpose = v[SI_PURPOSE];
        rc = share_create_in(m->db, m->a, &in, 1, &id, &re);
    }
    if (rc == ERR_INVALID) {
        si_error(m, row, si_col_of_field(re.field), re.field, re.msg);
        return 0;
    }
    if (rc) {
        m->fatal = 1;
        m->fatal_err = re;
        return 0;
    }
    m->valid++;
    return 0;
}

int share_import_file(Db *db, const Actor *a, const char *path, int apply,
                      int valid_only, json_t **report, Err *e)
{
    ShImp m;
    int rc, write;

    *report = NULL;
    memset(&m, 0, sizeof m);
    m.db = db;
    m.a = a;
    m.errors = json_array();
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = import_file_rows(path, 0, NULL, 0, si_row, &m, e);
    }
    if (rc == 0 && !m.header_row) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头（应包含“资源名称”“开始日期”列）");
    }
    if (rc == 0 && m.fatal) {
        *e = m.fatal_err;
        rc = m.fatal_err.code ? m.fatal_err.code : ERR_DB;
    }
    if (rc) {
        db_rollback(db);
        json_decref(m.errors);
        return rc;
    }
    write = apply && (valid_only || m.invalid == 0);
    *report = json_pack(
        "{s{sIsIsIsI}sOsIsIsb}", "summary", "rows", (json_int_t)m.rows, "valid",
        (json_int_t)m.valid, "invalid", (json_int_t)m.invalid, "inserted",
        (json_int_t)(write ? m.valid : 0), "errors", m.errors, "errors_total",
        (json_int_t)m.errors_total, "header_row", (json_int_t)m.header_row,
        "applied", write);
    json_decref(m.errors);
    if (!write) {
        db_rollback(db);
        if (apply) {
            return err_set(e, ERR_INVALID, "file",
                           "有 %lld 行数据有误，未导入任何数据；请修改后重新"
                           "导入，或选择只导入有效行",
                           (long long)m.invalid);
        }
        return 0;
    }
    {
        json_t *after = json_pack("{sIsI}", "rows", (json_int_t)m.rows,
                                  "inserted", (json_int_t)m.valid);
        rc = audit_record(db, a, "resource_use.import", "resource_use", 0, NULL,
                          NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*report);
        *report = NULL;
    }
    return rc;
}

int share_import_template_csv(Buf *out, Err *e)
{
    int c;

    buf_append_str(out, "\xEF\xBB\xBF");
    for (c = 0; c < SI_N; c++) {
        if (c == SI_ENT_UNIT) {
            continue;
        }
        if (c) {
            buf_append_char(out, ',');
        }
        buf_append_csv_field(out, si_titles[c], strlen(si_titles[c]));
    }
    buf_append_str(out, "\r\n");
    return out->err ? err_set(e, ERR_TOOBIG, NULL, "模板过大") : 0;
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
