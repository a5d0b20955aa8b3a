/* db.c - the backend-neutral part of db.h: db_open picks the backend from
 * the location, the checks common to both (transaction nesting, parameter
 * types) and the variadic conveniences. Everything else goes through the
 * backend's table of operations (db_impl.h). */
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/db_impl.h"

static int db_err(Err *e, int code, const char *field, const char *msg)
{
    err_set(e, code, field, "%s", msg);
    return code;
}

int db_is_pg_location(const char *location)
{
    return location && (!strncmp(location, "postgres://", 11) ||
                        !strncmp(location, "postgresql://", 13));
}

int db_open(Db **out, const char *location, Err *e)
{
    *out = NULL;
    if (!location || !*location) {
        return db_err(e, ERR_INVALID, "db", "未指定数据库文件");
    }
    if (db_is_pg_location(location)) {
        return db_pg_open(out, location, e);
    }
    return db_sqlite_open(out, location, e);
}

void db_close(Db *db)
{
    if (db) {
        db->ops->close(db);
    }
}

const char *db_backend(const Db *db)
{
    return db->ops->backend;
}

const char *db_location(const Db *db)
{
    return db ? db->ops->location(db) : "";
}

int db_exec(Db *db, const char *sql, Err *e)
{
    return db->ops->exec(db, sql, e);
}

int db_prepare(Db *db, const char *sql, DbStmt **out, Err *e)
{
    return db->ops->prepare(db, sql, out, e);
}

void db_finalize(DbStmt *st)
{
    if (st) {
        st->ops->finalize(st);
    }
}

void db_reset(DbStmt *st)
{
    st->ops->reset(st);
}

int db_bind_int64(DbStmt *st, int idx, int64_t v)
{
    return st->ops->bind_int64(st, idx, v);
}

int db_bind_text(DbStmt *st, int idx, const char *s)
{
    if (!s) {
        return st->ops->bind_null(st, idx);
    }
    return st->ops->bind_textn(st, idx, s, strlen(s));
}

int db_bind_textn(DbStmt *st, int idx, const char *s, size_t n)
{
    if (!s) {
        return st->ops->bind_null(st, idx);
    }
    return st->ops->bind_textn(st, idx, s, n);
}

int db_bind_blob(DbStmt *st, int idx, const void *p, size_t n)
{
    if (!p) {
        return st->ops->bind_null(st, idx);
    }
    return st->ops->bind_blob(st, idx, p, n, 1);
}

int db_bind_blob_static(DbStmt *st, int idx, const void *p, size_t n)
{
    if (!p) {
        return st->ops->bind_null(st, idx);
    }
    return st->ops->bind_blob(st, idx, p, n, 0);
}

int db_bind_null(DbStmt *st, int idx)
{
    return st->ops->bind_null(st, idx);
}

int db_step(DbStmt *st, Err *e)
{
    return st->ops->step(st, e);
}

int db_col_count(DbStmt *st)
{
    return st->ops->col_count(st);
}

const char *db_col_name(DbStmt *st, int col)
{
    return st->ops->col_name(st, col);
}

int db_col_is_null(DbStmt *st, int col)
{
    return st->ops->col_is_null(st, col);
}

int64_t db_col_int64(DbStmt *st, int col)
{
    return st->ops->col_int64(st, col);
}

const char *db_col_text(DbStmt *st, int col)
{
    return st->ops->col_text(st, col);
}

size_t db_col_bytes(DbStmt *st, int col)
{
    return st->ops->col_bytes(st, col);
}

const void *db_col_blob(DbStmt *st, int col)
{
    return st->ops->col_blob(st, col);
}

int64_t db_changes(Db *db)
{
    return db->ops->changes(db);
}

/* ---- transactions ------------------------------------------------------ */

static int db_begin_kind(Db *db, int write, Err *e)
{
    if (db->ops->in_tx(db)) {
        log_error("db: BEGIN inside an open transaction");
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    return db->ops->begin(db, write, e);
}

int db_begin(Db *db, Err *e)
{
    return db_begin_kind(db, 1, e);
}

int db_begin_read(Db *db, Err *e)
{
    return db_begin_kind(db, 0, e);
}

/* Commit the open transaction. If the commit fails, the transaction is rolled
 * back, so no transaction is open afterwards either way. */
int db_commit(Db *db, Err *e)
{
    int rc;

    if (!db->ops->in_tx(db)) {
        log_error("db: COMMIT without a transaction");
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    rc = db->ops->commit(db, e);
    if (rc) {
        db->ops->rollback(db);
    }
    return rc;
}

void db_rollback(Db *db)
{
    if (db && db->ops->in_tx(db)) {
        db->ops->rollback(db);
    }
}

int db_in_tx(const Db *db)
{
    return db->ops->in_tx(db);
}

/* Savepoints: the same SQL on both backends. */
static int db_savepoint_exec(Db *db, const char *sql, Err *e)
{
    if (!db->ops->in_tx(db)) {
        log_error("db: %s without a transaction", sql);
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    return db->ops->exec(db, sql, e);
}

int db_savepoint(Db *db, Err *e)
{
    return db_savepoint_exec(db, "SAVEPOINT kc_sp", e);
}

int db_savepoint_release(Db *db, Err *e)
{
    return db_savepoint_exec(db, "RELEASE SAVEPOINT kc_sp", e);
}

int db_savepoint_rollback(Db *db, Err *e)
{
    return db_savepoint_exec(
        db, "ROLLBACK TO SAVEPOINT kc_sp; RELEASE SAVEPOINT kc_sp", e);
}

int db_backup(Db *db, const char *dest, Err *e)
{
    if (db->ops->in_tx(db)) {
        return db_err(e, ERR_INTERNAL, "", "备份不能在事务中进行");
    }
    return db->ops->backup(db, dest, e);
}

/* ---- backend differences ----------------------------------------------- */

int db_check_integrity(Db *db, char **report, Err *e)
{
    *report = NULL;
    return db->ops->check(db, report, e);
}

int db_tune(Db *db, DbTune what, Err *e)
{
    return db->ops->tune(db, what, e);
}

int db_bulk_mode(Db *db, int on, Err *e)
{
    return db->ops->bulk(db, on, e);
}

int db_is_postgres(const Db *db)
{
    return strcmp(db->ops->backend, "postgresql") == 0;
}

int db_search_fts(const Db *db)
{
    return !db_is_postgres(db);
}

const char *db_like_ci(const Db *db)
{
    return db_is_postgres(db) ? "ILIKE" : "LIKE";
}

const char *db_noidx(const Db *db)
{
    return db_is_postgres(db) ? "" : "+";
}

const char *db_desc_nulls_last(const Db *db)
{
    return db_is_postgres(db) ? " NULLS LAST" : "";
}

void db_id_in_list(const Db *db, int param, char *out, size_t cap)
{
    if (db_is_postgres(db)) {
        snprintf(out, cap,
                 "= ANY (CAST(string_to_array($%d, ',') AS BIGINT[]))", param);
    } else {
        snprintf(out, cap,
                 "IN (SELECT value FROM json_each('[' || $%d || "
                 "']'))",
                 param);
    }
}

void db_json_get(const Db *db, const char *col, const char *key, int as_int,
                 char *out, size_t cap)
{
    if (db_is_postgres(db)) {
        snprintf(out, cap,
                 as_int ? "CAST(CAST(%s AS jsonb) ->> '%s' AS BIGINT)"
                        : "(CAST(%s AS jsonb) ->> '%s')",
                 col, key);
    } else {
        snprintf(out, cap, "json_extract(%s, '$.%s')", col, key);
    }
}

int db_search_sql(const Db *db, DbSearchIndex ix, DbSearchSql *out)
{
    static const DbSearchSql fts[] = {
        {"enterprise_fts", "enterprise_fts.rowid", "enterprise_fts MATCH"},
        {"enterprise_grams", "enterprise_grams.rowid",
         "enterprise_grams MATCH"},
    };

    memset(out, 0, sizeof *out);
    if (!db_search_fts(db) ||
        (ix != DB_SEARCH_TRIGRAM && ix != DB_SEARCH_GRAM)) {
        return ERR_INVALID;
    }
    *out = fts[ix];
    return 0;
}

int db_search_reindex(Db *db, int64_t above_id, Err *e)
{
    int rc;

    if (!db_search_fts(db)) {
        return 0; /* pg_trgm indexes follow the base tables */
    }
    /* the statements of the sync triggers of migrations 002 and 006 */
    rc = db_exec_v(db, e,
                   "INSERT INTO enterprise_fts (rowid, uscc, names) "
                   "SELECT id, uscc, name FROM enterprises WHERE id > $1 "
                   "ORDER BY id",
                   "i", above_id);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO enterprise_grams (rowid, g) SELECT "
                       "id, g FROM enterprise_gram_text WHERE id > $1 "
                       "ORDER BY id",
                       "i", above_id);
    }
    return rc;
}

int db_col_is_blob(DbStmt *st, int col)
{
    return st->ops->col_is_blob(st, col);
}

void db_tables_free(char **names, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

int db_tables(Db *db, char ***names, int *n, Err *e)
{
    DbStmt *st = NULL;
    char **v = NULL;
    int cap = 0, rc;

    *names = NULL;
    *n = 0;
    rc = db_prepare(db, db->ops->tables_sql, &st, e);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *t = db_col_text(st, 0);
        rc = 0;
        if (!t || db->ops->internal_table(db, t)) {
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        v[(*n)++] = xstrdup(t);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        db_tables_free(v, *n);
        *n = 0;
        return rc ? rc : ERR_INTERNAL;
    }
    *names = v;
    return 0;
}

int db_ids_sync(Db *db, const char *table, Err *e)
{
    return db->ops->ids_sync(db, table, e);
}

int db_max_id(Db *db, const char *table, int64_t *out, Err *e)
{
    char sql[160];
    int n =
        snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(id), 0) FROM %s", table);

    *out = 0;
    if (n < 0 || (size_t)n >= sizeof sql || strpbrk(table, " ;'\"")) {
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    return db_query_int64(db, out, e, sql, "");
}

int db_staging_create(Db *db, const char *name, int ncols, Err *e)
{
    Buf b;
    int i, rc;

    if (ncols < 1 || ncols > 1000 || strpbrk(name, " ;'\"")) {
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    buf_init(&b, 65536);
    /* SQLite: untyped columns keep each value as bound; PostgreSQL: TEXT
     * (a caller moving rows on must cast) */
    buf_appendf(&b,
                "DROP TABLE IF EXISTS %s%s; CREATE TEMP TABLE %s (seq %s "
                "PRIMARY KEY",
                db_is_postgres(db) ? "pg_temp." : "temp.", name, name,
                db_is_postgres(db) ? "BIGINT GENERATED ALWAYS AS IDENTITY"
                                   : "INTEGER");
    for (i = 1; i <= ncols; i++) {
        buf_appendf(&b, ", c%d%s", i, db_is_postgres(db) ? " TEXT" : "");
    }
    buf_append_str(&b, ")");
    rc = b.err ? db_err(e, ERR_INTERNAL, NULL, "数据库错误")
               : db_exec(db, b.data, e);
    buf_release(&b);
    return rc;
}

char *db_migration_sql(Db *db, int version, const char *m_sql)
{
    if (db->ops->migration_sql) {
        return db->ops->migration_sql(version, m_sql);
    }
    return xstrdup(m_sql);
}

/* ---- conveniences ------------------------------------------------------ */

/* Prepare sql and bind the arguments described by types (see db.h). The
 * number of letters must equal the statement's number of parameters. */
static int db_prepare_va(Db *db, DbStmt **out, Err *e, const char *sql,
                         const char *types, va_list ap)
{
    DbStmt *st = NULL;
    int n = types ? (int)strlen(types) : 0;
    int i;
    int rc;

    *out = NULL;
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        goto out;
    }
    if (st->ops->param_count(st) != n) {
        log_error("db: %d parameter types for %d parameters in: %s", n,
                  st->ops->param_count(st), sql);
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    for (i = 0; i < n; i++) {
        switch (types[i]) {
        case 'i':
            rc = db_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 't':
            rc = db_bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        case 'p': {
            const int64_t *v = va_arg(ap, const int64_t *);
            rc = v ? db_bind_int64(st, i + 1, *v) : db_bind_null(st, i + 1);
            break;
        }
        case 'n':
            rc = db_bind_null(st, i + 1);
            break;
        default:
            log_error("db: unknown parameter type '%c' in: %s", types[i], sql);
            rc = ERR_INTERNAL;
            break;
        }
        if (rc) {
            rc = db_err(e, rc, NULL, "数据库错误");
            goto out;
        }
    }
    *out = st;
    st = NULL;
out:
    db_finalize(st);
    return rc;
}

int db_prepare_v(Db *db, DbStmt **out, Err *e, const char *sql,
                 const char *types, ...)
{
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = db_prepare_va(db, out, e, sql, types, ap);
    va_end(ap);
    return rc;
}

/* Prepare, bind, step to the end and finalize. */
int db_exec_v(Db *db, Err *e, const char *sql, const char *types, ...)
{
    DbStmt *st = NULL;
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    do {
        rc = db_step(st, e);
    } while (rc == DB_ROW);
    if (rc == DB_DONE) {
        rc = ERR_OK;
    }
out:
    db_finalize(st);
    return rc;
}

/* Step st once and report ERR_NOTFOUND when there is no row. */
static int db_step_first(DbStmt *st, Err *e)
{
    int rc = db_step(st, e);

    if (rc == DB_ROW) {
        return ERR_OK;
    }
    if (rc == DB_DONE) {
        return db_err(e, ERR_NOTFOUND, NULL, "记录不存在");
    }
    return rc;
}

/* Step st to its end. A statement with RETURNING must run to completion:
 * reset after its first row, SQLite may undo the write (and, when a trigger
 * wrote to an FTS5 index, the whole open transaction). */
static int db_step_rest(DbStmt *st, Err *e)
{
    int rc;

    while ((rc = db_step(st, e)) == DB_ROW) {
    }
    return rc == DB_DONE ? ERR_OK : rc;
}

/* First column of the first row as int64 (SQL NULL gives 0). The statement
 * runs to its end, so INSERT ... RETURNING is safe here. */
int db_query_int64(Db *db, int64_t *out, Err *e, const char *sql,
                   const char *types, ...)
{
    DbStmt *st = NULL;
    va_list ap;
    int rc;

    *out = 0;
    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    rc = db_step_first(st, e);
    if (rc) {
        goto out;
    }
    *out = db_col_int64(st, 0);
    rc = db_step_rest(st, e);
out:
    db_finalize(st);
    return rc;
}

/* First column of the first row as a malloc'd string the caller frees
 * (SQL NULL gives NULL). Runs the statement to its end, like
 * db_query_int64. */
int db_query_text(Db *db, char **out, Err *e, const char *sql,
                  const char *types, ...)
{
    DbStmt *st = NULL;
    const char *s;
    va_list ap;
    int rc;

    *out = NULL;
    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    rc = db_step_first(st, e);
    if (rc) {
        goto out;
    }
    s = db_col_text(st, 0);
    if (s) {
        *out = xstrndup(s, db_col_bytes(st, 0));
    }
    rc = db_step_rest(st, e);
    if (rc) {
        free(*out);
        *out = NULL;
    }
out:
    db_finalize(st);
    return rc;
}
