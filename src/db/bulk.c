/* bulk.c - drop and recreate secondary indexes around a large write. See
 * bulk.h. */
#include "db/bulk.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"

#define BULK_MAX 64 /* indexes and triggers of one table */

struct Bulk {
    int n;
    char *sql[BULK_MAX];  /* CREATE statements, as stored */
    char *name[BULK_MAX]; /* for the log */
};

void bulk_free(Bulk *b)
{
    if (!b) {
        return;
    }
    for (int i = 0; i < b->n; i++) {
        free(b->sql[i]);
        free(b->name[i]);
    }
    free(b);
}

static int bulk_sqlite(Db *db)
{
    return strcmp(db_backend(db), "sqlite") == 0;
}

/* Does index name qualify: first column not keep_leading, and (cols NULL
 * or) one of its columns in cols? */
static int bulk_pick(Db *db, const char *name, const char *keep_leading,
                     const char *const *cols, int *pick, Err *e)
{
    DbStmt *st = NULL;
    int rc, any = cols == NULL;

    *pick = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT seqno, name FROM pragma_index_info($1) ORDER BY "
                      "seqno",
                      "t", name);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *col = db_col_text(st, 1);
        rc = 0;
        if (!col) {
            continue; /* an expression */
        }
        if (db_col_int64(st, 0) == 0 && keep_leading &&
            strcmp(col, keep_leading) == 0) {
            db_finalize(st);
            return 0;
        }
        for (int i = 0; cols && cols[i]; i++) {
            if (strcmp(col, cols[i]) == 0) {
                any = 1;
            }
        }
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        return rc;
    }
    *pick = any;
    return 0;
}

static void bulk_add(Bulk *b, const char *name, const char *sql)
{
    b->name[b->n] = xstrdup(name);
    b->sql[b->n] = xstrdup(sql);
    b->n++;
}

static int bulk_drop(Db *db, const char *what, const char *name, Err *e)
{
    char sql[256];
    int n;

    /* names come from sqlite_master: quote them as identifiers */
    if (strchr(name, '"')) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    n = snprintf(sql, sizeof sql, "DROP %s \"%s\"", what, name);
    if (n < 0 || (size_t)n >= sizeof sql) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return db_exec(db, sql, e);
}

int bulk_begin(Db *db, const char *table, const char *keep_leading,
               const char *const *cols, Bulk **out, Err *e)
{
    DbStmt *st = NULL;
    Bulk *b;
    int rc;

    *out = NULL;
    if (!bulk_sqlite(db)) {
        return 0;
    }
    if (!db_in_tx(db)) {
        log_error("bulk: %s: no transaction open", table);
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    b = xcalloc(1, sizeof *b);
    rc = db_prepare_v(db, &st, e,
                      "SELECT name, sql FROM sqlite_master WHERE type = "
                      "'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER "
                      "BY name",
                      "t", table);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int pick = 0;
        rc = bulk_pick(db, db_col_text(st, 0), keep_leading, cols, &pick, e);
        if (rc == 0 && pick) {
            if (b->n == BULK_MAX) {
                break;
            }
            bulk_add(b, db_col_text(st, 0), db_col_text(st, 1));
        }
    }
    db_finalize(st);
    rc = rc == DB_DONE || rc == DB_ROW ? 0 : rc;
    for (int i = 0; rc == 0 && i < b->n; i++) {
        rc = bulk_drop(db, "INDEX", b->name[i], e);
    }
    if (rc) {
        bulk_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

int bulk_drop_trigger(Db *db, Bulk **b, const char *name, Err *e)
{
    char *sql = NULL;
    int rc;

    if (!bulk_sqlite(db)) {
        return 0;
    }
    rc = db_query_text(db, &sql, e,
                       "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                       "AND name = $1",
                       "t", name);
    if (rc == ERR_NOTFOUND || (rc == 0 && !sql)) {
        free(sql);
        return 0; /* no such trigger: nothing to drop */
    }
    if (rc == 0) {
        if (!*b) {
            *b = xcalloc(1, sizeof **b);
        }
        if ((*b)->n == BULK_MAX) {
            free(sql);
            return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        }
        bulk_add(*b, name, sql);
        rc = bulk_drop(db, "TRIGGER", name, e);
    }
    free(sql);
    return rc;
}

int bulk_end(Db *db, Bulk *b, Err *e)
{
    int rc = 0;

    for (int i = 0; b && rc == 0 && i < b->n; i++) {
        rc = db_exec(db, b->sql[i], e);
        if (rc) {
            log_error("bulk: cannot recreate %s", b->name[i]);
        }
    }
    bulk_free(b);
    return rc;
}
