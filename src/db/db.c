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
#include "base/utf8.h"
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
        {"enterprise_fts", "enterprise_fts.rowid", "enterprise_fts MATCH",
         "CROSS JOIN"},
        {"enterprise_grams", "enterprise_grams.rowid", "enterprise_grams MATCH",
         "CROSS JOIN"},
    };
    /* migration pg/022: one row per enterprise, grams in a GIN index */
    static const DbSearchSql pg_gram = {"enterprise_search",
                                        "enterprise_search.enterprise_id",
                                        "enterprise_search.grams @>", "JOIN"};

    memset(out, 0, sizeof *out);
    if (ix != DB_SEARCH_TRIGRAM && ix != DB_SEARCH_GRAM) {
        return ERR_INVALID;
    }
    if (db_is_postgres(db)) {
        if (ix != DB_SEARCH_GRAM) {
            return ERR_INVALID; /* ILIKE on the pg_trgm indexes */
        }
        *out = pg_gram;
        return 0;
    }
    *out = fts[ix];
    return 0;
}

void db_search_query(const Db *db, DbSearchIndex ix, const char *q, char *out,
                     size_t cap)
{
    size_t i, o = 0;

    if (cap < 8) {
        if (cap) {
            out[0] = '\0';
        }
        return;
    }
    if (db_is_postgres(db)) {
        /* a one-element text[] literal, lower-cased as the grams are
         * (DB_SEARCH_GRAM queries hold ASCII letters, digits and CJK
         * ideographs only: ASCII folding is lower()'s folding) */
        out[o++] = '{';
        out[o++] = '"';
        for (i = 0; q[i] && o + 4 < cap; i++) {
            char c = q[i];
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
            }
            out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        out[o++] = '"';
        out[o++] = '}';
        out[o] = '\0';
        return;
    }
    /* FTS5: the text as one phrase in double quotes, quotes doubled; a
     * 1-character gram query is a prefix query (served by the
     * 1-character prefix index of enterprise_grams) */
    out[o++] = '"';
    for (i = 0; q[i] && o + 5 < cap; i++) {
        if (q[i] == '"') {
            out[o++] = '"';
        }
        out[o++] = q[i];
    }
    out[o++] = '"';
    if (ix == DB_SEARCH_GRAM && utf8_count_chars(q, strlen(q)) == 1) {
        out[o++] = '*';
    }
    out[o] = '\0';
}

int db_search_reindex(Db *db, int64_t above_id, Err *e)
{
    int rc;

    if (!db_search_fts(db)) {
        return 0; /* pg_trgm and pg/022's triggers follow the tables */
    }
    /* the statements of the sync triggers of migrations 002 and 006 */
    rc = db_exec_v(db, e,
                   "INSERT INTO enterprise_fts (rowid, uscc, names) "
                   "SELECT id, uscc, name FROM enterprises WHERE id > $1 "
                   "ORDER BY id",
                   "i", above_id);
    if (rc == 0) {
        /* the view enterprise_gram_text's text, its grams made by the
         * connection's kc_grams (db_sqlite.c) in one pass per column */
        rc = db_exec_v(db, e,
                       "INSERT INTO enterprise_grams (rowid, g) SELECT e.id, "
                       "COALESCE(kc_grams(e.uscc), '') || ' ' || "
                       "COALESCE(kc_grams(e.name), '') || ' ' || "
                       "COALESCE((SELECT group_concat(kc_grams(f.name), ' ') "
                       "FROM enterprise_names f WHERE f.enterprise_id = "
                       "e.id), '') FROM enterprises e WHERE e.id > $1 "
                       "ORDER BY e.id",
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

/* Tables the writes keep from other tables by triggers, on both backends:
 * never copied (a copy's triggers, or its one rebuild after the copy,
 * fill them): the plan counts of 026 and the bulk guard and pair list of
 * 030, the contract sums of 028. */
static int db_kept_table(const char *name)
{
    static const char *const kept[] = {"plan_counts", "plan_counts_off",
                                       "plan_counts_touch", "contract_sums"};

    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        if (strcmp(name, kept[i]) == 0) {
            return 1;
        }
    }
    return 0;
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
        if (!t || db_kept_table(t) || db->ops->internal_table(db, t)) {
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

/* ---- bulk copy --------------------------------------------------------- */

/* Rows of a COPY are sent when this many bytes are buffered. */
#define DB_COPY_CHUNK (256u << 10)
/* One row of a COPY may not exceed this (a large attachment blob). */
#define DB_COPY_ROW_MAX (256u << 20)

struct DbCopy {
    Db *db;
    DbStmt *ins; /* no COPY: the INSERT, one execution per row */
    int copying; /* COPY started on db */
    int ncols;
    int col; /* values given for the current row */
    int64_t rows;
    Buf buf; /* COPY: text-format rows not yet sent */
};

static int db_ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 120) {
        return 0;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_')) {
            return 0;
        }
    }
    return 1;
}

int db_copy_begin(Db *db, const char *table, char *const *cols, int ncols,
                  DbCopy **out, Err *e)
{
    DbCopy *c = xcalloc(1, sizeof *c);
    Buf sql;
    int rc = 0;

    *out = NULL;
    c->db = db;
    c->ncols = ncols;
    buf_init(&c->buf, DB_COPY_CHUNK + DB_COPY_ROW_MAX);
    buf_init(&sql, 65536);
    if (ncols < 1 || !db_ident_ok(table) || !db_in_tx(db)) {
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    buf_appendf(&sql, db->ops->copy_start ? "COPY %s (" : "INSERT INTO %s (",
                table);
    for (int i = 0; i < ncols && rc == 0; i++) {
        if (!db_ident_ok(cols[i])) {
            rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        }
        buf_appendf(&sql, "%s%s", i ? ", " : "", cols[i]);
    }
    if (rc) {
        goto out;
    }
    if (db->ops->copy_start) {
        buf_append_str(&sql, ") FROM STDIN");
    } else {
        buf_append_str(&sql, ") VALUES (");
        for (int i = 0; i < ncols; i++) {
            buf_appendf(&sql, "%s$%d", i ? ", " : "", i + 1);
        }
        buf_append_str(&sql, ")");
    }
    if (sql.err) {
        rc = err_set(e, ERR_TOOBIG, table, "表 %s 的列过多", table);
        goto out;
    }
    if (db->ops->copy_start) {
        rc = db->ops->copy_start(db, sql.data, e);
        c->copying = rc == 0;
    } else {
        rc = db_prepare(db, sql.data, &c->ins, e);
    }
out:
    buf_release(&sql);
    if (rc) {
        db_copy_end(c, NULL, NULL);
        return rc;
    }
    *out = c;
    return 0;
}

/* Append one value in COPY's text format: NULL is \N, text has
 * backslash, newline, carriage return and tab escaped, a blob is bytea's
 * hex form \x… (its backslash escaped). */
static void db_copy_text(Buf *b, int kind, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    if (kind == DB_COPY_NULL) {
        buf_append(b, "\\N", 2);
        return;
    }
    if (kind == DB_COPY_BLOB) {
        buf_append(b, "\\\\x", 3);
        for (size_t i = 0; i < n; i++) {
            char h[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
            buf_append(b, h, 2);
        }
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '\\' && p[j] != '\n' && p[j] != '\r' &&
               p[j] != '\t') {
            j++;
        }
        buf_append(b, p + i, j - i);
        if (j < n) {
            char esc[2] = {'\\', p[j] == '\\'   ? '\\'
                                 : p[j] == '\n' ? 'n'
                                 : p[j] == '\r' ? 'r'
                                                : 't'};
            buf_append(b, esc, 2);
            j++;
        }
        i = j;
    }
}

int db_copy_value(DbCopy *c, int kind, const void *p, size_t n, Err *e)
{
    int rc = 0;

    if (c->col >= c->ncols) {
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    c->col++;
    if (c->ins) {
        if (kind == DB_COPY_NULL) {
            rc = db_bind_null(c->ins, c->col);
        } else if (kind == DB_COPY_BLOB) {
            rc = db_bind_blob(c->ins, c->col, p ? p : "", n);
        } else {
            rc = db_bind_textn(c->ins, c->col, p ? p : "", n);
        }
        return rc ? db_err(e, rc, NULL, "数据无法写入") : 0;
    }
    if (c->col > 1) {
        buf_append_char(&c->buf, '\t');
    }
    db_copy_text(&c->buf, kind, p, n);
    return c->buf.err ? db_err(e, ERR_TOOBIG, NULL, "一行数据过大，无法写入")
                      : 0;
}

int db_copy_row(DbCopy *c, Err *e)
{
    int rc;

    if (c->col != c->ncols) {
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    c->col = 0;
    if (c->ins) {
        rc = db_step(c->ins, e);
        db_reset(c->ins);
        c->rows += rc == DB_DONE;
        return rc == DB_DONE ? 0 : rc;
    }
    c->rows++;
    buf_append_char(&c->buf, '\n');
    if (c->buf.err) {
        return db_err(e, ERR_TOOBIG, NULL, "一行数据过大，无法写入");
    }
    if (c->buf.len >= DB_COPY_CHUNK) {
        rc = c->db->ops->copy_put(c->db, c->buf.data, c->buf.len, e);
        buf_reset(&c->buf);
        return rc;
    }
    return 0;
}

int db_copy_end(DbCopy *c, int64_t *rows, Err *e)
{
    Err ignored;
    int64_t took = 0;
    int ok, rc = 0;

    if (rows) {
        *rows = 0;
    }
    if (!c) {
        return 0;
    }
    if (!e) {
        e = &ignored;
    }
    /* abandoned (rows NULL) or ended inside a row: nothing is kept */
    ok = rows != NULL && c->col == 0;
    if (c->copying) {
        if (ok && c->buf.len) {
            rc = c->db->ops->copy_put(c->db, c->buf.data, c->buf.len, e);
            ok = rc == 0;
        }
        if (c->db->ops->copy_finish(c->db, ok, &took, e) != 0 && rc == 0) {
            rc = e->code ? e->code : ERR_DB;
        }
    } else {
        took = c->rows;
    }
    if (rc == 0 && !ok) {
        rc = rows ? db_err(e, ERR_INTERNAL, NULL, "数据库错误") : ERR_INTERNAL;
    }
    if (rc == 0 && took != c->rows) {
        rc = db_err(e, ERR_INTERNAL, NULL, "写入的行数与读出的不同");
    }
    if (rc == 0) {
        *rows = took;
    }
    db_finalize(c->ins);
    buf_release(&c->buf);
    free(c);
    return rc;
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
