/* carrier_util.c - helpers shared by the carrier capability (see
 * carrier_util.h). */
#include "domain/carrier/carrier_util.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/valid.h"
#include "db/sqlq.h"

int cu_date(const char *in, char out[DATE_ISO_SIZE], const char *field,
            const char *label, Err *e)
{
    char buf[64];
    Date d;
    int rc;

    out[0] = '\0';
    if (!in) {
        return 0;
    }
    rc = valid_text(in, 0, 15, buf, sizeof buf, field, label, e);
    if (rc || !*buf) {
        return rc;
    }
    rc = date_parse(buf, &d, field, e);
    if (rc) {
        return err_set(e, ERR_INVALID, field, "%s不是有效日期：%s", label,
                       e ? e->msg : "");
    }
    date_format_iso(d, out);
    return 0;
}

int cu_date_req(const char *in, char out[DATE_ISO_SIZE], const char *field,
                const char *label, Err *e)
{
    int rc = cu_date(in, out, field, label, e);

    if (rc == 0 && !out[0]) {
        rc = err_set(e, ERR_INVALID, field, "请填写%s", label);
    }
    return rc;
}

int cu_text(const char *in, size_t min_chars, size_t max_chars, char **out,
            const char *field, const char *label, Err *e)
{
    size_t cap = max_chars * 4 + 1;
    char *buf = xmalloc(cap);
    int rc = valid_text(in ? in : "", min_chars, max_chars, buf, cap, field,
                        label, e);

    if (rc) {
        free(buf);
        *out = NULL;
        return rc;
    }
    *out = buf;
    return 0;
}

int cu_unit_path(Db *db, const Actor *a, int64_t unit_id, char *path,
                 size_t cap, const char *field, Err *e)
{
    char *p = NULL;
    int rc;

    if (unit_id <= 0) {
        return err_set(e, ERR_INVALID, field, "请选择所属单位");
    }
    rc = db_query_text(db, &p, e,
                       "SELECT path FROM org_units WHERE id = $1 AND "
                       "retired_at IS NULL",
                       "i", unit_id);
    if (rc == ERR_NOTFOUND || (rc == 0 && (!p || !actor_sees_path(a, p)))) {
        free(p);
        return err_set(e, ERR_INVALID, field,
                       "所属单位不存在或不在本单位范围内");
    }
    if (rc == 0) {
        if (strlen(p) >= cap) {
            rc = err_set(e, ERR_TOOBIG, field, "单位路径过长");
        } else {
            memcpy(path, p, strlen(p) + 1);
        }
    }
    free(p);
    return rc;
}

int cu_ent_exists(Db *db, int64_t id, char *name, size_t cap, const char *field,
                  const char *label, Err *e)
{
    char *n = NULL;
    int rc;

    if (id <= 0) {
        return err_set(e, ERR_INVALID, field, "%s不在企业库中", label);
    }
    rc = db_query_text(db, &n, e,
                       "SELECT name FROM enterprises WHERE id = $1 AND "
                       "retired_at IS NULL",
                       "i", id);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_INVALID, field,
                       "%s不在企业库中（企业编号 %lld 不存在或已注销出库）",
                       label, (long long)id);
    }
    if (rc == 0 && name && cap) {
        size_t len = n ? strlen(n) : 0;
        if (len >= cap) {
            len = cap - 1;
        }
        memcpy(name, n ? n : "", len);
        name[len] = '\0';
    }
    free(n);
    return rc;
}

json_t *cu_col_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

json_t *cu_col_int(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

json_t *cu_col_wan(DbStmt *st, int col)
{
    json_t *j;
    Buf b;

    if (db_col_is_null(st, col)) {
        return json_null();
    }
    buf_init(&b, 64);
    money_format_wan(db_col_int64(st, col), &b);
    j = json_string(b.data ? b.data : "");
    buf_release(&b);
    return j;
}

void cu_bind_opt_text(DbStmt *st, int idx, const char *s)
{
    if (s && *s) {
        db_bind_text(st, idx, s);
    } else {
        db_bind_null(st, idx);
    }
}

void cu_bind_opt_int(DbStmt *st, int idx, int has, int64_t v)
{
    if (has) {
        db_bind_int64(st, idx, v);
    } else {
        db_bind_null(st, idx);
    }
}

int cu_step_id(DbStmt *st, int64_t *id, Err *e)
{
    int rc = db_step(st, e);

    *id = 0;
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        rc = db_step(st, e);
    }
    if (rc != DB_DONE) {
        return rc;
    }
    if (*id <= 0) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return 0;
}

int cu_step_done(DbStmt *st, Err *e)
{
    int rc = db_step(st, e);

    return rc == DB_DONE ? 0 : rc == DB_ROW ? 0 : rc;
}

void cu_scope(Sqlq *q, const Actor *a, const char *col)
{
    int n = sqlq_text(q, a->unit_path);

    sqlq_addf(q, " AND substr(%s, 1, length($%d)) = $%d", col, n, n);
}

char *cu_like(const char *q)
{
    Buf b;
    char *s;

    if (!q || !*q) {
        return NULL;
    }
    buf_init(&b, 1024);
    buf_append_char(&b, '%');
    for (const char *p = q; *p; p++) {
        if (*p != '%' && *p != '_') {
            buf_append_char(&b, *p);
        }
    }
    buf_append_char(&b, '%');
    s = xstrdup(b.data);
    buf_release(&b);
    return s;
}
