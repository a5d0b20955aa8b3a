/* sqlq.c - queries with optional filters, values always bound. */
#include "db/sqlq.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"

void sqlq_init(Sqlq *q, const char *base)
{
    buf_init(&q->text, (size_t)64 * 1024);
    buf_append_str(&q->text, base);
    q->n_params = 0;
    q->err = 0;
}

void sqlq_release(Sqlq *q)
{
    buf_release(&q->text);
}

static int sqlq_add(Sqlq *q, SqlqParam p)
{
    if (q->n_params >= SQLQ_MAX_PARAMS) {
        q->err = 1;
        return SQLQ_MAX_PARAMS;
    }
    q->params[q->n_params++] = p;
    return q->n_params;
}

int sqlq_int(Sqlq *q, int64_t v)
{
    SqlqParam p = {'i', v, NULL};

    return sqlq_add(q, p);
}

int sqlq_text(Sqlq *q, const char *s)
{
    SqlqParam p = {'t', 0, s};

    return sqlq_add(q, p);
}

void sqlq_addf(Sqlq *q, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(&q->text, fmt, ap);
    va_end(ap);
}

int sqlq_sort_parse(const SqlqSort *cols, size_t n_cols, const char *sort,
                    const char *def, const SqlqSort **col, int *desc, Err *e)
{
    char names[512];
    size_t len = 0;
    size_t i;
    int rc = 0;

    *col = NULL;
    *desc = 0;
    if (!sort || !*sort) {
        sort = def;
    }
    if (*sort == '-') {
        *desc = 1;
        sort++;
    }
    for (i = 0; i < n_cols; i++) {
        if (strcmp(sort, cols[i].key) == 0) {
            *col = &cols[i];
            goto out;
        }
    }
    names[0] = '\0';
    for (i = 0; i < n_cols && len < sizeof names; i++) {
        int n = snprintf(names + len, sizeof names - len, "%s%s", i ? "、" : "",
                         cols[i].key);
        if (n < 0) {
            break;
        }
        len += (size_t)n;
    }
    *desc = 0;
    rc = err_set(e, ERR_INVALID, "sort",
                 "不能按该列排序；可用 %s，前加 - 表示降序", names);
out:
    return rc;
}

void sqlq_add_order(Sqlq *q, const SqlqSort *col, int desc,
                    const char *tiebreak)
{
    const char *dir = desc ? " DESC" : "";

    if (col->nullable) {
        /* NULLs last in both directions, on SQLite and PostgreSQL alike. */
        sqlq_addf(q, " ORDER BY (%s IS NULL), %s%s, %s%s", col->expr, col->expr,
                  dir, tiebreak, dir);
    } else {
        sqlq_addf(q, " ORDER BY %s%s, %s%s", col->expr, dir, tiebreak, dir);
    }
}

int sqlq_prepare(Sqlq *q, Db *db, DbStmt **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;
    int i;

    *out = NULL;
    if (q->err || q->text.err) {
        log_error("sqlq: query too large or too many parameters");
        rc = err_set(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    rc = db_prepare(db, q->text.data, &st, e);
    if (rc) {
        goto out;
    }
    for (i = 0; i < q->n_params; i++) {
        if (q->params[i].type == 'i') {
            rc = db_bind_int64(st, i + 1, q->params[i].i);
        } else {
            rc = db_bind_text(st, i + 1, q->params[i].t);
        }
        if (rc) {
            rc = err_set(e, rc, NULL, "数据库错误");
            goto out;
        }
    }
    *out = st;
    st = NULL;
out:
    db_finalize(st);
    return rc;
}
